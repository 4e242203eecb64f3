/**
 * What a refresh hands an extension and gets back, as plain data: a prompt provider's request,
 * a writer's request and result, the target's state, the session credentials, the long-term keys
 * a credential source gives. The core's ports
 * (src/core/ports.ts in mfa-creds) are written on these types: each is defined here once.
 */

/**
 * An IAM user's long-term access key: what a credential source keeps and gives, and what signs
 * GetSessionToken. Secret: never in a message, a log, argv or a child's environment.
 */
export interface LongTermKeys {
  accessKeyId: string
  /** When the key was made or stored (RFC 3339), where the source keeps that: `keys list` shows an age. */
  created?: string | undefined
  secretAccessKey: string
}

/** Session credentials from STS: what a writer puts where it writes. */
export interface SessionCredentials {
  accessKeyId: string
  expiration: Date
  secretAccessKey: string
  sessionToken: string
}

export interface PromptRequest {
  /** 1 for the first ask in a cycle, 2 and 3 when asking again. */
  attempt: number
  /** The source profile whose MFA device is asked for. */
  profile: string
  /** Why we ask (shown by providers that can show it), e.g. "the code was rejected". */
  reason?: string | undefined
  serial: string
  /** Shutting down: stop asking (close the window, restore the terminal) and reject with AbortedError. */
  signal?: AbortSignal | undefined
  targetProfile: string
  /** Give up after this long (PromptTimedOutError). */
  timeoutMs: number
}

export interface TargetState {
  expiration?: Date | undefined
  /** Changes whenever another writer changes the target; compared across the prompt. */
  fingerprint?: string | undefined
}

export interface WriteRequest {
  /** The target's fingerprint as read before the prompt. */
  baseline?: string | undefined
  credentials: SessionCredentials
  /** Wait for the lock at most this long (LockTimeoutError); for ever when undefined. */
  lockTimeoutMs?: number | undefined
  /** Told how long the lock was held for the write (milliseconds). */
  onLockHeld?: ((ms: number) => void) | undefined
  /** Told once when the write has to wait for a lock, with a description of the holder. */
  onLockWait?: ((holders: string) => void) | undefined
  /** Stop waiting for the lock (AbortedError) when this aborts; a write under way completes. */
  signal?: AbortSignal | undefined
  /** The profile whose long-term keys signed: a write never leaves the file without them. */
  sourceProfile?: string | undefined
  targetProfile: string
}

export interface WriteResult {
  /** written: ours went in; kept-newer: another writer had just put in credentials that last longer. */
  action: 'kept-newer' | 'written'
  expiration: Date
}
