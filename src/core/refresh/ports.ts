/**
 * The three ports a refresh asks through, as the core sees them: a credential source (the
 * long-term keys of a profile), a prompt provider (a request in, a one-time code out) and a
 * credential writer (where session credentials go, and what is there now). Built-ins and plugins are adapted to these by the extension host (src/extensions); the
 * core knows nothing of where an implementation comes from.
 */
import type {
  LongTermKeys, PromptRequest, TargetState, WriteRequest, WriteResult,
} from '@mfa-creds/sdk'

import type {IniFileSnapshot} from '../ini/snapshot.js'

// The plain data a port takes and gives is the sdk's (@mfa-creds/sdk, requests.ts), defined once.
export type {
  LongTermKeys, PromptRequest, TargetState, WriteRequest, WriteResult,
} from '@mfa-creds/sdk'

/** Turns a request into a one-time code, or fails with a typed error (PromptCancelledError, PromptTimedOutError, PromptUnavailableError). */
export interface PromptProvider {
  ask(request: PromptRequest): Promise<string>
  /** Throws when there is no way to ask at all; called once a code is needed, before anything is said or asked. */
  check?(): void
  readonly name: string
  /** True when a person answers right here (a terminal), so a rejected code may be asked for again. */
  readonly retriesRejectedCodes: boolean
}

export interface CredentialWriter {
  /** Fails (a typed error) when a write could not succeed, so nobody types a code for nothing; called before the prompt. */
  check?(targetProfile: string): Promise<void>
  readonly name: string
  /** The target's current state; `credentials` is the credentials file as just read. */
  read(targetProfile: string, credentials: IniFileSnapshot): Promise<TargetState>
  write(request: WriteRequest): Promise<WriteResult>
}

/** Where a profile's long-term keys live (the credentials file, the OS keyring, a command), and what they are. */
export interface KeySource {
  /**
   * The keys of `profile`, or a ConfigError that says what is missing. `credentials`: the
   * credentials file as just read, if it was; `signal`: stop (AbortedError) when it aborts.
   */
  get(profile: string, at?: {credentials?: IniFileSnapshot; signal?: AbortSignal}): Promise<LongTermKeys>
  /**
   * True for the keys in the credentials file itself (the built-in credentials-file source): they
   * are read with the file, and no write may leave the file without them.
   */
  readonly inCredentialsFile: boolean
  readonly name: string
  /** Removes the keys of `profile` (a ConfigError when the source does not keep keys). */
  remove(profile: string): Promise<void>
  /** Keeps `keys` for `profile`, replacing what was there (a ConfigError when the source does not keep keys). */
  store(profile: string, keys: LongTermKeys): Promise<void>
  /** Whether it can keep keys: store and remove work. */
  readonly stores: boolean
}
