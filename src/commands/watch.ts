import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {refreshFlags} from '../cli/flags.js'
import {promptNotifier} from '../cli/notify.js'
import {Ports, resolvePorts, sessionWriter} from '../cli/ports.js'
import {watchedTarget, WatchLog} from '../cli/watch-log.js'
import {UsageError} from '../core/errors.js'
import {WallClock} from '../core/refresh/schedule.js'
import {resolveSettings, Settings} from '../core/refresh/settings.js'
import {checkWatchable, Watcher} from '../core/refresh/watch-loop.js'
import {registerWatcher} from '../core/state/registry.js'

export default class Watch extends BaseCommand {
  static override description = `Keep MFA session credentials fresh, all day: ask for a code shortly before they expire.

Reuses valid credentials at start (no prompt until they are due), refreshes at expiration minus the lead time, follows the wall clock through sleep and clock changes, and retries network and STS failures with backoff, sending the code you already typed again for up to a minute. SIGINT or SIGTERM stop it (exit 0, never in the middle of a write); SIGHUP re-reads the config file.`
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> --mfa-serial-number arn:aws:iam::123456789012:mfa/alice', description: 'Keep [default-mfa] fresh'},
    {command: '<%= config.bin %> <%= command.id %> -p dev -p prod', description: 'Watch two profiles (serials from ~/.aws/config), each on its own schedule'},
    {command: '<%= config.bin %> <%= command.id %> -p dev-admin -p prod-readonly', description: 'Two role profiles (role_arn + source_profile): one code per MFA session serves both'},
    {command: '<%= config.bin %> <%= command.id %> --keep-going --prompt-retry-interval 300', description: 'Never give up: after a cancelled prompt, ask again in 5 minutes'},
    {command: '<%= config.bin %> <%= command.id %> --log-format json 2>>~/.cache/mfa-creds.log', description: 'Machine-readable log lines'},
  ]
  static override flags = {
    ...refreshFlags,
    'exit-on-error': Flags.boolean({description: 'Exit on any error, as aws-mfa-credentials did, instead of retrying.', exclusive: ['keep-going']}),
    'keep-going': Flags.boolean({description: 'After a cancelled prompt (or a refused code), ask again after --prompt-retry-interval instead of exiting.'}),
    'lock-timeout': Flags.integer({description: 'Give up (exit 75) when the credentials file lock is not had within this many seconds. Default: wait as long as it takes.', helpValue: 'SECONDS', min: 0}),
    'log-format': Flags.string({default: 'text', description: 'Log lines on stderr: text (local time) or json.', options: ['text', 'json']}),
    profile: Flags.string({
      char: 'p', default: ['default'], description: 'Profile with the long-term keys; repeat to watch several.', helpValue: 'PROFILE', multiple: true,
    }),
    'prompt-retry-interval': Flags.integer({
      default: 600, description: 'Seconds before asking again after an unanswered (or, with --keep-going, cancelled) prompt.', helpValue: 'SECONDS', min: 1,
    }),
  }

  public async run(): Promise<void> {
    const {flags} = await this.parse(Watch)
    const profiles = [...new Set(flags.profile)]
    if (flags['target-profile'] && profiles.length > 1) {
      throw new UsageError('--target-profile names one target, but several profiles are watched', 'leave it out: each PROFILE is written to PROFILE-mfa')
    }

    const resolveAll = () => Promise.all(profiles.map(profile => resolveSettings({...flags, profile})))
    const settings = await resolveAll()
    // Each profile's ports (credential source, prompt provider, writer), resolved and checked before anything runs.
    const ports = new Map<string, Ports>()
    const resolveProviders = async (list: Settings[]) => {
      const resolved = await Promise.all(list.map(s => resolvePorts(this.config, s)))
      for (const [i, s] of list.entries()) ports.set(s.targetProfile, resolved[i])
    }

    await resolveProviders(settings)
    for (const s of settings) {
      const problem = checkWatchable(s)
      if (problem) throw new UsageError(problem, 'lower --refresh-lead-time or raise --duration')
    }

    const log = new WatchLog(process.stderr, flags['log-format'] as 'json' | 'text', flags['log-format'] === 'text' && process.stderr.isTTY === true)
    const clock = new WallClock(30_000, () => log.status(watcher.targets))
    // In a terminal the live line counts down by the second; elsewhere nothing wakes the process.
    const ticker = log.live ? setInterval(() => log.status(watcher.targets), 1000) : undefined
    ticker?.unref()
    const notifiers = new Map(settings.map(s => [s.targetProfile, promptNotifier(flags.notify, s.profile, s.targetProfile)]))
    const watcher: Watcher = new Watcher(settings, {
      clock,
      onEvent(event) {
        if (event.type === 'refresh') notifiers.get(event.target)?.(event.event)

        log.log(event)
        log.status(watcher.targets)
      },
      ports: (s: Settings) => ports.get(s.targetProfile)!,
      sessionWriter,
    }, {exitOnError: flags['exit-on-error'], keepGoing: flags['keep-going'], promptRetryIntervalMs: flags['prompt-retry-interval'] * 1000})

    const registration = await registerWatcher(settings[0].credentialsFile, settings.map(s => ({profile: s.profile, target: s.targetProfile})))
    const onReload = () => {
      resolveAll().then(async fresh => {
        await resolveProviders(fresh)
        watcher.reload(fresh)
        log.log({targets: fresh.map(s => watchedTarget(s)), type: 'reloaded'})
      }, (error: Error) => log.log({message: `settings not reloaded: ${error.message}`, type: 'reload-failed'}))
    }

    process.on('SIGHUP', onReload)
    log.log({targets: settings.map(s => watchedTarget(s)), type: 'started'})
    try {
      await this.withShutdown(signal => watcher.run(signal), {signalStatus: false})
    } finally {
      clearInterval(ticker)
      process.off('SIGHUP', onReload)
      log.clearStatus()
      await registration.release()
    }
  }
}
