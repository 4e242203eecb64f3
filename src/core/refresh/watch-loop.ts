/**
 * The watch loop: for each profile, refresh when due (expiration - lead time), then sleep until
 * the next due moment on the wall clock. The same refresher as refresh-once does each refresh.
 * Every other wait (backoff, retry intervals, the floor between cycles) is a duration, kept on a
 * monotonic clock so that a clock stepped back cannot stretch it.
 *
 * What happens on failure, per profile:
 * - STS unreachable or failing: retried inside the refresher with backoff, reusing the code typed
 *   in the last 60 s (so nobody types twice for a network blip);
 * - a code STS rejects: asked for again, up to 3 times in a cycle, then the process exits 4;
 * - the prompt cancelled: exit 3 (the seed's behaviour), or with keepGoing, ask again after
 *   promptRetryInterval; nobody answered (timed out): ask again after promptRetryInterval;
 * - a file that cannot be read or a lock that stays taken: retried with backoff (another tool may
 *   be half-way through rewriting it);
 * - exitOnError: every failure ends the process with its exit code, as the seed did.
 */
import type {
  CredentialWriter, KeySource, PromptProvider, PromptRequest,
} from './ports.js'

import {readSharedFile} from '../aws/shared-file.js'
import {
  AbortedError, ConfigError, LockTimeoutError, MfaCredsError, PromptTimedOutError, StsUnavailableError,
} from '../errors.js'
import {refreshDueAt, sleep} from '../time.js'
import {
  backoffDelay, RefreshEvent, refreshOnce, RefreshResult,
} from './refresher.js'
import {WallClock} from './schedule.js'
import {Settings} from './settings.js'

export interface WatchOptions {
  exitOnError: boolean
  keepGoing: boolean
  promptRetryIntervalMs: number
}

export const TRANSIENT_RETRY = {baseDelayMs: 1000, codeReuseMs: 60_000, maxDelayMs: 300_000}

/** How often a waiting loop looks at its target in the file, for a shorter session written by someone else. */
export const RECHECK_MS = 30_000

/** The least time between two cycles of a profile's loop, whatever happens in them. */
export const MIN_CYCLE_MS = 1000

export type WatchEvent =
  | {delayMs: number; reason: string; target: string; type: 'retrying'}
  | {dueAt: Date; expiration: Date; result: RefreshResult['action']; target: string; type: 'valid'}
  | {error: MfaCredsError; retryAt?: Date; target: string; type: 'error'}
  | {event: RefreshEvent; target: string; type: 'refresh'}
  | {target: string; type: 'stopped'}

export type TargetPhase = 'prompting' | 'refreshing' | 'retrying' | 'starting' | 'waiting'

/** Where a watched target's cycle stands (for the status line): its phase, expiration and when it is next due. */
export interface TargetProgress {
  dueAt?: Date
  expiration?: Date
  phase: TargetPhase
  profile: string
  target: string
}

export interface WatchDeps {
  /** For the one wait on the wall clock: until a refresh is due (expiration - lead time). */
  clock: WallClock
  /** A monotonic clock in ms (default performance.now), for the floor between cycles. */
  monotonicNow?: () => number
  now?: () => Date
  onEvent: (event: WatchEvent) => void
  /** A target's resolved ports: where its keys come from, how the code is asked for, where it goes. */
  ports: (settings: Settings) => {keys: KeySource; prompt: PromptProvider; writer: CredentialWriter}
  /** The MFA session a role is assumed from: see RefreshDeps.sessionWriter. */
  sessionWriter?: (credentialsFile: string) => CredentialWriter
  /** Waits for a duration on a monotonic clock (default: schedule's sleep): backoffs and retry intervals. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** Lets one profile prompt at a time in this process: two windows at once would confuse anyone. */
function serialized(provider: PromptProvider, queue: {tail: Promise<unknown>}): PromptProvider {
  return {
    ask(request: PromptRequest) {
      const run = queue.tail.catch(() => {}).then(() => provider.ask(request))
      queue.tail = run
      return run
    },
    name: provider.name,
    retriesRejectedCodes: provider.retriesRejectedCodes,
  }
}

export class Watcher {
  private readonly abort = new AbortController()
  private fatal: MfaCredsError | undefined
  private readonly promptQueue = {tail: Promise.resolve() as Promise<unknown>}
  private readonly states = new Map<string, TargetProgress>()
  private readonly stopLoops = () => this.abort.abort()
  /** Aborted (and replaced) by a reload: cuts short the waits for a duration. */
  private woken = new AbortController()

  constructor(
    private settings: Settings[],
    private readonly deps: WatchDeps,
    private readonly options: WatchOptions,
  ) {
    for (const s of settings) this.states.set(s.targetProfile, {phase: 'starting', profile: s.profile, target: s.targetProfile})
  }

  /** Where each target stands, for a status display. */
  get targets(): TargetProgress[] {
    return [...this.states.values()]
  }

  /** Takes new settings (SIGHUP) and lets every loop look again at once. */
  reload(settings: Settings[]): void {
    this.settings = settings
    this.woken.abort()
    this.woken = new AbortController()
    this.deps.clock.wakeAll()
  }

  /** Runs until `signal` aborts (resolves) or a profile fails for good (rejects with its error). */
  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', this.stopLoops, {once: true})
    try {
      await Promise.all(this.settings.map(s => this.loop(s.targetProfile)))
    } finally {
      signal.removeEventListener('abort', this.stopLoops)
    }

    if (this.fatal) throw this.fatal
  }

  private current(target: string): Settings | undefined {
    return this.settings.find(s => s.targetProfile === target)
  }

  private async loop(target: string): Promise<void> {
    const {signal} = this.abort
    const now = this.deps.now ?? (() => new Date())
    const monotonicNow = this.deps.monotonicNow ?? (() => performance.now())
    let failures = 0
    let healthy = false
    let cycleStart: number | undefined
    while (!signal.aborted) {
      // Every way back here waits at least the floor: nothing (a reload, an expiration that is
      // already due, a wait that returned at once) can make the loop spin.
      if (cycleStart !== undefined) {
        try {
          await (this.deps.sleep ?? sleep)(cycleStart + MIN_CYCLE_MS - monotonicNow(), signal)
        } catch {
          break
        }
      }

      cycleStart = monotonicNow()
      const settings = this.current(target)
      if (!settings) return
      const state = this.states.get(target)!
      try {
        state.phase = 'refreshing'
        const ports = this.deps.ports(settings)
        const result = await refreshOnce(settings, {
          keys: ports.keys,
          monotonicNow,
          now,
          onEvent: event => {
            if (event.type === 'prompting') state.phase = 'prompting'
            if (event.type === 'retrying') state.phase = 'retrying'
            this.deps.onEvent({event, target, type: 'refresh'})
          },
          prompt: serialized(ports.prompt, this.promptQueue),
          sessionWriter: this.deps.sessionWriter,
          signal,
          writer: ports.writer,
        }, {codeAttempts: 3, transient: this.options.exitOnError ? undefined : {...TRANSIENT_RETRY, sleep: (ms, s) => this.pause(ms, s)}})
        failures = 0
        healthy = true
        const expiration = result.expiration!
        let dueAt = refreshDueAt(expiration, settings.leadTimeSeconds)
        if (dueAt.getTime() <= now().getTime()) {
          // The session is shorter than the lead time: refresh half-way instead of at once, again and again.
          dueAt = new Date(now().getTime() + ((expiration.getTime() - now().getTime()) / 2))
        }

        Object.assign(state, {dueAt, expiration, phase: 'waiting'})
        this.deps.onEvent({
          dueAt, expiration, result: result.action, target, type: 'valid',
        })
        await this.untilDue(settings, ports.writer, {dueAt, expiration}, signal)
      } catch (error) {
        if (error instanceof AbortedError || signal.aborted) break
        const retryIn = this.retryDelay(error, ++failures, healthy)
        if (retryIn === undefined) {
          this.fatal ??= error instanceof MfaCredsError ? error : undefined
          this.abort.abort()
          if (!(error instanceof MfaCredsError)) throw error
          break
        }

        const retryAt = new Date(now().getTime() + retryIn)
        state.phase = 'retrying'
        state.dueAt = retryAt
        this.deps.onEvent({
          error: error as MfaCredsError, retryAt, target, type: 'error',
        })
        try {
          await this.pause(retryIn, signal)
        } catch {
          break
        }
      }
    }

    this.deps.onEvent({target, type: 'stopped'})
  }

  /**
   * Waits `ms` on the monotonic clock (a clock stepped back does not stretch it); rejects with
   * AbortedError when `signal` aborts, and returns early on a reload.
   */
  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    const woken = this.woken.signal
    const either = new AbortController()
    const onAbort = () => either.abort()
    signal?.addEventListener('abort', onAbort, {once: true})
    woken.addEventListener('abort', onAbort, {once: true})
    try {
      if (signal?.aborted || woken.aborted) either.abort()
      await (this.deps.sleep ?? sleep)(ms, either.signal)
    } catch (error) {
      if (signal?.aborted || !woken.aborted) throw error
    } finally {
      signal?.removeEventListener('abort', onAbort)
      woken.removeEventListener('abort', onAbort)
    }
  }

  /**
   * How long to wait before trying a failed profile again; undefined: give up (exit with the
   * error's code). A configuration error on a profile's first cycle is final: missing keys do not
   * come back by themselves, and the user is right there having just started it.
   */
  private retryDelay(error: unknown, failures: number, healthy: boolean): number | undefined {
    if (!(error instanceof MfaCredsError) || this.options.exitOnError) return undefined
    if (error instanceof ConfigError && !healthy) return undefined
    if (error instanceof StsUnavailableError || error instanceof ConfigError || error instanceof LockTimeoutError) {
      return backoffDelay(failures, TRANSIENT_RETRY)
    }

    if (error instanceof PromptTimedOutError || this.options.keepGoing) return this.options.promptRetryIntervalMs
    return undefined
  }

  /**
   * Waits until the target is due, looking at it in the file every RECHECK_MS meanwhile: a
   * session another writer put there that ends sooner than ours (refresh-once --force --duration
   * 900, another tool, an edit), or a target that is gone, ends the wait, so that the next cycle
   * schedules from what the file holds instead of leaving it expired for hours. A file that cannot
   * be read at that moment (a writer half-way through) is looked at again next time. A reload
   * ends it too.
   */
  private async untilDue(settings: Settings, writer: CredentialWriter, {dueAt, expiration}: {dueAt: Date; expiration: Date}, signal: AbortSignal): Promise<void> {
    const now = this.deps.now ?? (() => new Date())
    // A reload (SIGHUP) wakes the clock: the loop looks again at once, with the new settings.
    const woken = this.woken.signal
    for (;;) {
      await this.deps.clock.until(Math.min(dueAt.getTime(), now().getTime() + RECHECK_MS), signal)
      if (woken.aborted || now().getTime() >= dueAt.getTime()) return
      let seen: Date | undefined
      try {
        seen = (await writer.read(settings.targetProfile, await readSharedFile(settings.credentialsFile, 'credentials file'))).expiration
      } catch {
        continue
      }

      if (seen === undefined || seen.getTime() < expiration.getTime()) return
    }
  }
}

/** Settings that would make a watch prompt again and again are refused before it starts. */
export function checkWatchable(settings: Settings): string | undefined {
  const duration = settings.durationSeconds ?? (settings.role ? 3600 : 43_200)
  if (settings.leadTimeSeconds >= duration) {
    return `--refresh-lead-time (${settings.leadTimeSeconds} s) must be shorter than the session (${duration} s), or every refresh would be due at once`
  }

  return undefined
}
