/**
 * `exec [-- COMMAND]`: refresh the profile's session if it is due, then run COMMAND (the user's
 * shell when there is none) with that session, as `lock --` runs its command: same input and
 * output, its exit status and signals passed through. What the oclif command and the fast
 * entry both run.
 *
 * Without --server the child gets the session's keys in its environment (core/exec/environment.ts).
 * With --server it gets none: a credentials endpoint on 127.0.0.1 (core/exec/endpoint.ts) that
 * serves the session as the credentials file holds it, and stand-ins for the shared files
 * (core/exec/stand-in.ts); while COMMAND runs, the refresher renews the session before it
 * expires, as watch does, asking through a provider that does not need the terminal.
 */
import {profileMap} from '../../core/aws/profiles.js'
import {readSessionCredentials} from '../../core/aws/session-credentials.js'
import {readSharedFile} from '../../core/aws/shared-file.js'
import {UsageError} from '../../core/errors.js'
import {endpointPath, newToken, startEndpoint} from '../../core/exec/endpoint.js'
import {
  childRegion, endpointEnvironment, EXEC_VARIABLE, ExecIdentity, keysEnvironment,
} from '../../core/exec/environment.js'
import {DEFAULT_PATH, findProgram, runCommand} from '../../core/exec/run-command.js'
import {StandIn, standInConfig, writeStandIn} from '../../core/exec/stand-in.js'
import {PromptProvider} from '../../core/refresh/ports.js'
import {refreshOnce} from '../../core/refresh/refresher.js'
import {WallClock} from '../../core/refresh/schedule.js'
import {resolveSettings, Settings, SettingsInput} from '../../core/refresh/settings.js'
import {checkWatchable, Watcher} from '../../core/refresh/watch-loop.js'
import {listWatchers} from '../../core/state/registry.js'
import {HookHost} from '../../extensions/host.js'
import {CommandIo, endAsCommand, withShutdown} from '../command-io.js'
import {refusalNotes} from '../endpoint-log.js'
import {promptNotifier} from '../notify.js'
import {Ports, resolveBackgroundPrompt, resolvePorts} from '../ports.js'
import {localTime, renderEvent} from '../render.js'

export interface ExecFlags extends SettingsInput {
  notify?: boolean
  server?: boolean
}

/** How long a renewal that found no answer waits before it asks again. */
const RENEWAL_RETRY_MS = 60_000

export async function exec(flags: ExecFlags, command: string[], hooks: HookHost, io: CommandIo): Promise<void> {
  const nested = process.env[EXEC_VARIABLE]
  if (nested !== undefined) {
    throw new UsageError(
      `already inside mfa-creds exec for profile ${nested || '(unnamed)'} (${EXEC_VARIABLE} is set): a second one would run with that session's credentials`,
      `leave that shell first (exit), then run mfa-creds exec -p PROFILE; or unset ${EXEC_VARIABLE} if it was set by hand`,
    )
  }

  const program = command.length > 0 ? command : [process.env.SHELL || '/bin/sh']
  const settings = await resolveSettings(flags)
  if (settings.writer !== 'credentials-file') {
    throw new UsageError(`exec reads the session from the credentials file, but the writer is ${settings.writer}`, 'use --writer credentials-file (the default) for this profile')
  }

  if (settings.prompt === 'stdin') {
    throw new UsageError(
      'exec hands its standard input to COMMAND, so the code cannot come from it (--prompt stdin)',
      'refresh first, then run it: oathtool ... | mfa-creds refresh-once --prompt stdin && mfa-creds exec -- COMMAND',
    )
  }

  // Checked before a code is asked for: a command that cannot be run, a session too short to renew.
  const missing = findProgram(program[0], process.env.PATH ?? DEFAULT_PATH)
  if (missing) {
    io.note(`${io.bin}: ${missing.problem}`)
    // aws-vault's way (`aws-vault exec work -- ...`): the profile where COMMAND goes.
    if (missing.exitCode === 127 && profileMap((await readSharedFile(settings.configFile, 'config file')).view).has(program[0])) {
      const rest = command.slice(command[1] === '--' ? 2 : 1)
      io.note(`  ${program[0]} is a profile: the profile goes with -p, as in mfa-creds exec -p ${program[0]} -- ${rest.join(' ') || 'COMMAND'}`)
    }

    io.exit(missing.exitCode)
  }

  if (flags.server) {
    const problem = checkWatchable(settings)
    if (problem) throw new UsageError(problem, 'lower --refresh-lead-time or raise --duration')
  }

  const ports = await resolvePorts(hooks, settings)
  const renewalPrompt = flags.server ? await resolveBackgroundPrompt(hooks, settings) : undefined
  // --server: the stand-in files are made before a code is asked for (a temp dir that cannot be
  // written is found out first), and removed however this ends.
  const config = await readSharedFile(settings.configFile, 'config file')
  const profiles = profileMap(config.view)
  const identity = {profile: settings.profile, region: childRegion(process.env, profiles, [settings.targetProfile, settings.profile, settings.sourceProfile])}
  const standIn = flags.server ? writeStandIn(standInConfig(config.view, profiles, {profile: settings.profile, region: identity.region, target: settings.targetProfile})) : undefined
  try {
    await run(settings, {
      flags, identity, io, ports, program, renewalPrompt, standIn,
    })
  } finally {
    standIn?.remove()
  }
}

interface Run {
  flags: ExecFlags
  identity: ExecIdentity
  io: CommandIo
  ports: Ports
  program: string[]
  renewalPrompt: PromptProvider | undefined
  standIn: StandIn | undefined
}

/** The refresh, then COMMAND: with the keys, or with the endpoint and the stand-in files. */
async function run(settings: Settings, {flags, identity, io, ports, program, renewalPrompt, standIn}: Run): Promise<void> {
  await withShutdown(io.exit, signal => {
    const notify = promptNotifier(flags.notify, settings.profile, settings.targetProfile, signal)
    return refreshOnce(settings, {
      ...ports,
      onEvent(event) {
        notify(event)
        const line = renderEvent(event, ports.prompt.name, settings.profile, settings.targetProfile)
        if (line) io.note(line)
      },
      signal,
    })
  })

  const credentials = () => readSessionCredentials(settings.credentialsFile, settings.targetProfile, settings.profile)
  if (!standIn) {
    endAsCommand(io, await runCommand(program, keysEnvironment(process.env, await credentials(), identity)))
    return
  }

  // A watch --serve of this target serves it already, and keeps it fresh: its endpoint is used.
  const path = endpointPath(settings.targetProfile)
  const watch = (await listWatchers(settings.credentialsFile)).find(w => w.endpoint?.tokens[settings.targetProfile])
  const token = watch?.endpoint?.tokens[settings.targetProfile] ?? newToken()
  const own = watch
    ? undefined
    : await startEndpoint({
      onRequest: refusalNotes(line => io.note(`${io.bin}: ${line}`)),
      route: asked => (asked === path ? {credentials, token} : undefined),
    })
  const origin = watch?.endpoint?.origin ?? own!.origin
  const stop = new AbortController()
  const renewing = own && renewalPrompt ? renew(settings, {...ports, prompt: renewalPrompt}, io, stop.signal) : undefined
  if (watch) io.note(`${io.bin}: using the endpoint of mfa-creds watch (pid ${watch.pid}), which keeps [${settings.targetProfile}] fresh.`)
  else if (!renewalPrompt) {
    io.note(`${io.bin}: the endpoint serves [${settings.targetProfile}] as the credentials file holds it; nothing will ask for a code while ${program[0]} runs (a prompt here would need the terminal or standard input, which are ${program[0]}'s, or a display there is none of). Keep it fresh with mfa-creds watch -p ${settings.profile} elsewhere, or choose a prompt that opens a window (--prompt zenity, ssh-askpass).`)
  }

  try {
    endAsCommand(io, await runCommand(program, endpointEnvironment(process.env, {...standIn, token, url: `${origin}${path}`}, identity)))
  } finally {
    stop.abort()
    await renewing
    await own?.close()
  }
}

/** Renews the session before it expires while COMMAND runs, as watch does; a failure is told and tried again. */
async function renew(settings: Settings, ports: Ports, io: CommandIo, signal: AbortSignal): Promise<void> {
  const watcher = new Watcher([settings], {
    clock: new WallClock(30_000),
    onEvent(event) {
      if (event.type === 'valid' && event.result === 'refreshed') io.note(`${io.bin}: renewed [${event.target}] for the endpoint; it expires ${localTime(event.expiration)}.`)
      if (event.type === 'error') io.note(`${io.bin}: renewing [${event.target}] failed: ${event.error.message}${event.retryAt ? `; trying again ${localTime(event.retryAt)}` : ''}`)
    },
    ports: () => ports,
    sessionWriter: ports.sessionWriter,
  }, {exitOnError: false, keepGoing: true, promptRetryIntervalMs: RENEWAL_RETRY_MS})
  try {
    await watcher.run(signal)
  } catch (error) {
    io.note(`${io.bin}: the endpoint no longer renews [${settings.targetProfile}]: ${(error as Error).message}`)
  }
}
