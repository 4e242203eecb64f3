/**
 * Typed errors: one class per kind, each with its exit code, a message that says what happened
 * and a hint that says what to do. Messages never carry a secret (secret keys, session tokens,
 * MFA codes): callers build them from names, paths and line numbers only.
 */

export const ExitCode = {
  configUnusable: 6,
  internal: 1,
  lockTimeout: 75,
  noCode: 3,
  ok: 0,
  rotationIncomplete: 7,
  stsRefused: 4,
  stsUnavailable: 5,
  usage: 2,
} as const

export type ErrorKind = 'CONFIG_UNUSABLE' | 'INTERNAL' | 'LOCK_TIMEOUT' | 'NO_CODE' | 'ROTATION_INCOMPLETE' | 'STS_REFUSED' | 'STS_UNAVAILABLE' | 'USAGE'

export abstract class MfaCredsError extends Error {
  abstract readonly exitCode: number
  readonly hint?: string
  abstract readonly kind: ErrorKind

  constructor(message: string, hint?: string) {
    super(message)
    this.name = new.target.name
    this.hint = hint
  }

  /** The stable, secret-free shape used by `--json` and logs. */
  toJSON(): {exitCode: number; hint?: string; kind: ErrorKind; message: string; name: string} {
    return {
      exitCode: this.exitCode, hint: this.hint, kind: this.kind, message: this.message, name: this.name,
    }
  }
}

/** A bad flag or value given on the command line (exit 2, as oclif's own parse errors). */
export class UsageError extends MfaCredsError {
  readonly exitCode = ExitCode.usage
  readonly kind = 'USAGE'
}

/** No usable code: cancelled, timed out, no provider, not six digits (exit 3). */
export class NoCodeError extends MfaCredsError {
  readonly exitCode = ExitCode.noCode
  readonly kind = 'NO_CODE'
}

export class PromptCancelledError extends NoCodeError {}
export class PromptTimedOutError extends NoCodeError {}
export class PromptUnavailableError extends NoCodeError {}
export class InvalidCodeError extends NoCodeError {}
/** A prompt provider's own settings are wrong (e.g. a required option is missing). */
export class PromptMisconfiguredError extends NoCodeError {}

/** STS answered and said no: wrong code, AccessDenied, invalid or expired long-term keys (exit 4). */
export class StsRefusedError extends MfaCredsError {
  readonly exitCode = ExitCode.stsRefused
  readonly kind = 'STS_REFUSED'

  constructor(
    message: string,
    hint: string | undefined,
    /** The AWS error code, e.g. AccessDenied, InvalidClientTokenId. */
    readonly awsCode: string,
    /** True when STS rejected the one-time code itself (so asking again may help). */
    readonly wrongCode: boolean,
    /** True when STS turned down the MFA session that signed the call (expired early or revoked). */
    readonly sessionRejected = false,
  ) {
    super(message, hint)
  }
}

/** STS could not be reached or kept failing after the SDK's retries (exit 5). */
export class StsUnavailableError extends MfaCredsError {
  readonly exitCode = ExitCode.stsUnavailable
  readonly kind = 'STS_UNAVAILABLE'
}

/** The credentials or config file cannot be used, or a setting is missing or invalid (exit 6). */
export class ConfigError extends MfaCredsError {
  readonly exitCode = ExitCode.configUnusable
  readonly kind = 'CONFIG_UNUSABLE'
}

/**
 * `keys rotate` failed after IAM made the new key (exit 7): the message says which key is live,
 * where it is stored, and what to do.
 */
export class RotationIncompleteError extends MfaCredsError {
  readonly exitCode = ExitCode.rotationIncomplete
  readonly kind = 'ROTATION_INCOMPLETE'
}

/** The protocol lock was not had within the timeout (exit 75, EX_TEMPFAIL). */
export class LockTimeoutError extends MfaCredsError {
  readonly exitCode = ExitCode.lockTimeout
  readonly kind = 'LOCK_TIMEOUT'
}

/** A bug: something that should not happen did (exit 1). */
export class InternalError extends MfaCredsError {
  readonly exitCode = ExitCode.internal
  readonly kind = 'INTERNAL'
}

/**
 * Not a failure: the work was abandoned because the process is shutting down (SIGINT/SIGTERM).
 * Commands that are stopping on purpose catch it; it never reaches the user as an error.
 */
export class AbortedError extends Error {
  constructor() {
    super('stopped')
    this.name = 'AbortedError'
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError()
}

/** The errno-style code of a Node system error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code
  return undefined
}
