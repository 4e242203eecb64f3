/**
 * The two ports a refresh asks through, as the core sees them: a prompt provider (a request in,
 * a one-time code out) and a credential writer (where session credentials go, and what is there
 * now). Built-ins and plugins are adapted to these by the extension host (src/extensions); the
 * core knows nothing of where an implementation comes from.
 */
import type {SessionCredentials} from '../aws/sts.js'
import type {IniFileSnapshot} from '../ini/snapshot.js'

export interface PromptRequest {
  /** 1 for the first ask in a cycle, 2 and 3 when asking again. */
  attempt: number
  /** The source profile whose MFA device is asked for. */
  profile: string
  /** Why we ask (shown by providers that can show it), e.g. "the code was rejected". */
  reason?: string
  serial: string
  /** Shutting down: stop asking (close the window, restore the terminal) and reject with AbortedError. */
  signal?: AbortSignal
  targetProfile: string
  /** Give up after this long (PromptTimedOutError). */
  timeoutMs: number
}

/** Turns a request into a one-time code, or fails with a typed error (PromptCancelledError, PromptTimedOutError, PromptUnavailableError). */
export interface PromptProvider {
  ask(request: PromptRequest): Promise<string>
  /** Throws when there is no way to ask at all; called once a code is needed, before anything is said or asked. */
  check?(): void
  readonly name: string
  /** True when a person answers right here (a terminal), so a rejected code may be asked for again. */
  readonly retriesRejectedCodes: boolean
}

export interface TargetState {
  expiration?: Date
  /** Changes whenever another writer changes the target; compared across the prompt. */
  fingerprint?: string
}

export interface WriteRequest {
  /** The target's fingerprint as read before the prompt. */
  baseline?: string
  credentials: SessionCredentials
  /** Wait for the lock at most this long (LockTimeoutError); for ever when undefined. */
  lockTimeoutMs?: number
  /** Told how long the lock was held for the write (milliseconds). */
  onLockHeld?: (ms: number) => void
  /** Told once when the write has to wait for a lock, with a description of the holder. */
  onLockWait?: (holders: string) => void
  /** Stop waiting for the lock (AbortedError) when this aborts; a write under way completes. */
  signal?: AbortSignal
  /** The profile whose long-term keys signed: a write never leaves the file without them. */
  sourceProfile?: string
  targetProfile: string
}

export interface WriteResult {
  /** written: ours went in; kept-newer: another writer had just put in credentials that last longer. */
  action: 'kept-newer' | 'written'
  expiration: Date
}

export interface CredentialWriter {
  /** Fails (a typed error) when a write could not succeed, so nobody types a code for nothing; called before the prompt. */
  check?(targetProfile: string): Promise<void>
  readonly name: string
  /** The target's current state; `credentials` is the credentials file as just read. */
  read(targetProfile: string, credentials: IniFileSnapshot): Promise<TargetState>
  write(request: WriteRequest): Promise<WriteResult>
}
