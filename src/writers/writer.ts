/**
 * The credential-writer contract: where fresh session credentials go, and what is there now.
 */
import type {IniFileSnapshot} from '../core/credentials-file.js'
import type {SessionCredentials} from '../core/sts.js'

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
