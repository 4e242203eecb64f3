/**
 * The one error-kind table of every extension point, read in both directions. A plugin's hook
 * answers a failure as plain data, `{error: {kind, message, hint}}` (a thrown error would land in
 * oclif's `failures`, and a plugin needs no runtime import of mfa-creds): `errorToData` finds the
 * kind by the error's class name (so it survives a second copy of this module in a plugin's
 * node_modules), and `errorFromData` turns it back into that class, with its exit code.
 *
 * A point carries only the kinds its events list (events.ts, `kinds`); any other error of an
 * extension is the kind `failed`, reported by the point's own `failed` rule.
 */
import {
  AbortedError, ConfigError, ExitCode, InternalError, LockTimeoutError, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'

export interface ErrorKindRow {
  /** The class an extension throws, by name (`error.name`). */
  className: string
  /** The exit code the rebuilt error carries (undefined: AbortedError, a stop, not a failure). */
  exitCode?: number
  /** Rebuilds the error on the host side; `extension` names the provider or writer, for messages. */
  make(message: string, hint: string | undefined, extension: string): Error
}

export const ERROR_KINDS = {
  aborted: {className: 'AbortedError', make: () => new AbortedError()},
  cancelled: {
    className: 'PromptCancelledError',
    exitCode: ExitCode.noCode,
    make: (message, hint) => new PromptCancelledError(message, hint ?? 'run the command again to be asked again'),
  },
  config: {className: 'ConfigError', exitCode: ExitCode.configUnusable, make: (message, hint) => new ConfigError(message, hint)},
  internal: {className: 'InternalError', exitCode: ExitCode.internal, make: (message, hint) => new InternalError(message, hint)},
  'lock-timeout': {className: 'LockTimeoutError', exitCode: ExitCode.lockTimeout, make: (message, hint) => new LockTimeoutError(message, hint)},
  misconfigured: {
    className: 'PromptMisconfiguredError',
    exitCode: ExitCode.noCode,
    make: (message, hint, extension) => new PromptUnavailableError(`${extension}: ${message}`, hint),
  },
  'timed-out': {className: 'PromptTimedOutError', exitCode: ExitCode.noCode, make: (message, hint) => new PromptTimedOutError(message, hint)},
  unavailable: {
    className: 'PromptUnavailableError',
    exitCode: ExitCode.noCode,
    make: (message, hint, extension) => new PromptUnavailableError(`${extension}: ${message}`, hint),
  },
} as const satisfies Record<string, ErrorKindRow>

export type KnownErrorKind = keyof typeof ERROR_KINDS
/** Every kind an answer may carry: a row of the table, or `failed` (anything else). */
export type ExtensionErrorKind = 'failed' | KnownErrorKind

export interface ErrorData<K extends ExtensionErrorKind = ExtensionErrorKind> {
  hint?: string
  kind: K
  message: string
}

/** What one point takes from the table, and how it reports an error of any other kind. */
export interface PointErrors<K extends KnownErrorKind = KnownErrorKind> {
  failed(extension: string, message: string, hint: string | undefined): Error
  kinds: readonly K[]
}

const BY_CLASS = new Map<string, KnownErrorKind>(Object.entries(ERROR_KINDS).map(([kind, row]) => [row.className, kind as KnownErrorKind]))

/** Plugin side: the answer for an error an extension threw. */
export function errorToData<K extends KnownErrorKind>(point: PointErrors<K>, error: unknown): ErrorData<'failed' | K> {
  const e = error as (Error & {hint?: string}) | undefined
  const kind = BY_CLASS.get(e?.name ?? '')
  return {
    hint: e?.hint,
    kind: kind && (point.kinds as readonly KnownErrorKind[]).includes(kind) ? kind as K : 'failed',
    message: e?.message ?? String(error),
  }
}

/** Host side: the typed error (and exit code) an error answer stands for. */
export function errorFromData(point: PointErrors, data: ErrorData, extension: string): Error {
  const known = data.kind !== 'failed' && (point.kinds as readonly string[]).includes(data.kind)
  return known ? ERROR_KINDS[data.kind as KnownErrorKind].make(data.message, data.hint, extension) : point.failed(extension, data.message, data.hint)
}

/**
 * A built-in's error, called in process: reported as the same error a plugin's would be (the
 * kind, message and exit code a user sees do not depend on where the extension lives). Errors
 * that are not of a known kind are bugs of ours and pass through as they are.
 */
export function builtInError(point: PointErrors, error: unknown, extension: string): unknown {
  if (!BY_CLASS.has((error as Error | undefined)?.name ?? '')) return error
  return errorFromData(point, errorToData(point, error), extension)
}
