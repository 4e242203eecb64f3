/** `watch`: what the oclif command and the fast entry both run. */
import v8 from 'node:v8'

import {UsageError} from '../../core/errors.js'
import {WallClock} from '../../core/refresh/schedule.js'
import {resolveSettings, Settings, SettingsInput} from '../../core/refresh/settings.js'
import {checkWatchable, Watcher} from '../../core/refresh/watch-loop.js'
import {registerWatcher} from '../../core/state/registry.js'
import {HookHost} from '../../extensions/host.js'
import {CommandIo, withShutdown} from '../command-io.js'
import {promptNotifier} from '../notify.js'
import {Ports, resolvePorts, sessionWriter} from '../ports.js'
import {watchedTarget, WatchLog} from '../watch-log.js'

export interface WatchFlags extends Omit<SettingsInput, 'profile'> {
  'exit-on-error'?: boolean
  'keep-going'?: boolean
  'log-format': string
  notify?: boolean
  profile: string[]
  'prompt-retry-interval': number
  serve?: boolean
}

export async function watch(flags: WatchFlags, hooks: HookHost, io: CommandIo): Promise<void> {
  // A watch waits all day and works for a moment at a time: V8's optimising compiler (TurboFan)
  // and the code it makes cost some 4 MiB of resident memory (BENCHMARKS.md) and buy nothing
  // here. Set before the refresh code first runs; the flag only stops optimising from now on.
  v8.setFlagsFromString('--no-opt')
  const profiles = [...new Set(flags.profile)]
  if (flags['target-profile'] && profiles.length > 1) {
    throw new UsageError('--target-profile names one target, but several profiles are watched', 'leave it out: each PROFILE is written to PROFILE-mfa')
  }

  const resolveAll = () => Promise.all(profiles.map(profile => resolveSettings({...flags, profile})))
  const settings = await resolveAll()
  // Each profile's ports (credential source, prompt provider, writer), resolved and checked before anything runs.
  const ports = new Map<string, Ports>()
  const resolveProviders = async (list: Settings[]) => {
    const resolved = await Promise.all(list.map(s => resolvePorts(hooks, s)))
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
  }, {exitOnError: flags['exit-on-error'] === true, keepGoing: flags['keep-going'] === true, promptRetryIntervalMs: flags['prompt-retry-interval'] * 1000})

  // --serve: the targets' sessions on a local endpoint (loaded only then), for exec --server.
  let served = settings
  const endpoint = flags.serve ? await (await import('./serve.js')).serveTargets(() => served, message => log.log({message, type: 'note'})) : undefined
  const registration = await registerWatcher(settings[0].credentialsFile, targetsOf(settings), endpoint?.entry())
  const onReload = () => {
    resolveAll().then(async fresh => {
      await resolveProviders(fresh)
      served = fresh
      await registration.update(targetsOf(fresh), endpoint?.entry())
      watcher.reload(fresh)
      log.log({targets: fresh.map(s => watchedTarget(s)), type: 'reloaded'})
    }, (error: Error) => log.log({message: `settings not reloaded: ${error.message}`, type: 'reload-failed'}))
  }

  process.on('SIGHUP', onReload)
  log.log({targets: settings.map(s => watchedTarget(s)), type: 'started'})
  if (endpoint) log.log({message: `serving the credentials at ${endpoint.origin} to mfa-creds exec --server`, type: 'note'})
  try {
    await withShutdown(io.exit, signal => watcher.run(signal), {signalStatus: false})
  } finally {
    clearInterval(ticker)
    process.off('SIGHUP', onReload)
    log.clearStatus()
    await registration.release()
    await endpoint?.close()
  }
}

/** What the registry records of each watched target. */
function targetsOf(list: Settings[]): Array<{profile: string; target: string}> {
  return list.map(s => ({profile: s.profile, target: s.targetProfile}))
}
