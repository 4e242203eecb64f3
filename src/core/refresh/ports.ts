/**
 * The two ports a refresh asks through, as the core sees them: a prompt provider (a request in,
 * a one-time code out) and a credential writer (where session credentials go, and what is there
 * now). Built-ins and plugins are adapted to these by the extension host (src/extensions); the
 * core knows nothing of where an implementation comes from.
 */
import type {
  PromptRequest, TargetState, WriteRequest, WriteResult,
} from '@mfa-creds/sdk'

import type {IniFileSnapshot} from '../ini/snapshot.js'

// The plain data a port takes and gives is the sdk's (@mfa-creds/sdk, requests.ts), defined once.
export type {
  PromptRequest, TargetState, WriteRequest, WriteResult,
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
