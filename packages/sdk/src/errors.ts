/**
 * The errors an extension throws, and the kinds they cross the hook as. A hook answers a failure
 * as plain data, `{error: {kind, message, hint?}}` (a thrown error would land in oclif's
 * `failures`): `errorToData` finds the kind by the error's class name, so an error of a second
 * copy of this package (in a plugin's node_modules), or the CLI's own error of the same name,
 * is of the same kind. The host turns a kind back into its typed error, with its exit code.
 *
 * A point carries only the kinds its events list (events.ts, `kinds`); any other error is the
 * kind `failed`, reported by the point's own rule (`ExtensionError` itself is such an error).
 */

/** An extension's failure: a message that says what happened, and a hint that says what to do. */
export class ExtensionError extends Error {
  readonly hint?: string | undefined

  constructor(message: string, hint?: string) {
    super(message)
    this.name = new.target.name
    this.hint = hint
  }
}

/** The person cancelled the prompt (exit 3). */
export class PromptCancelledError extends ExtensionError {}
/** No code came in time (exit 3; watch asks again later). */
export class PromptTimedOutError extends ExtensionError {}
/** There is no way to ask: a tool is missing, not signed in, no device (exit 3). */
export class PromptUnavailableError extends ExtensionError {}
/** The provider's own settings are wrong (exit 3). */
export class PromptMisconfiguredError extends ExtensionError {}
/** A file or setting cannot be used (exit 6). */
export class ConfigError extends ExtensionError {}
/** A lock was not had in time (exit 75). */
export class LockTimeoutError extends ExtensionError {}
/** A bug (exit 1). */
export class InternalError extends ExtensionError {}

/** Not a failure: the work was stopped because mfa-creds is shutting down (the request's signal aborted). */
export class AbortedError extends Error {
  constructor() {
    super('stopped')
    this.name = 'AbortedError'
  }
}

/** Every kind but `failed`, and the class that stands for it (by its name). */
export const ERROR_KINDS = {
  aborted: AbortedError,
  cancelled: PromptCancelledError,
  config: ConfigError,
  internal: InternalError,
  'lock-timeout': LockTimeoutError,
  misconfigured: PromptMisconfiguredError,
  'timed-out': PromptTimedOutError,
  unavailable: PromptUnavailableError,
} as const

export type KnownErrorKind = keyof typeof ERROR_KINDS
/** Every kind an answer may carry: a row of the table, or `failed` (anything else). */
export type ExtensionErrorKind = 'failed' | KnownErrorKind

export interface ErrorData<K extends ExtensionErrorKind = ExtensionErrorKind> {
  hint?: string | undefined
  kind: K
  message: string
}

const BY_CLASS = new Map<string, KnownErrorKind>(Object.entries(ERROR_KINDS).map(([kind, type]) => [type.name, kind as KnownErrorKind]))

/** The kind an error's class name stands for, if any. */
export function errorKindOf(error: unknown): KnownErrorKind | undefined {
  return BY_CLASS.get((error as Error | undefined)?.name ?? '')
}

/** The answer for an error an extension threw: its kind when the point carries it, else `failed`. */
export function errorToData<K extends KnownErrorKind>(kinds: readonly K[], error: unknown): ErrorData<'failed' | K> {
  const e = error as (Error & {hint?: string}) | undefined
  const kind = errorKindOf(error)
  return {
    hint: e?.hint,
    kind: kind && (kinds as readonly KnownErrorKind[]).includes(kind) ? kind as K : 'failed',
    message: e?.message ?? String(error),
  }
}
