/**
 * The host's error table: each error kind of the sdk (@mfa-creds/sdk, errors.ts: the kinds and
 * the classes a plugin throws) turned back into the core's typed error, with its exit code. A
 * plugin's hook answers a failure as plain data, `{error: {kind, message, hint}}`; `errorFromData`
 * reads it. A built-in, called in process, throws the core's errors, whose class names are the
 * sdk's: `builtInError` reports them as a plugin's would be.
 *
 * A point carries only the kinds its events list (the sdk's EXTENSION_EVENTS, `kinds`); any
 * other error of an extension is the kind `failed`, reported by the point's own `failed` rule.
 */
import type {ErrorData, KnownErrorKind} from '@mfa-creds/sdk'

import {errorKindOf, errorToData} from '@mfa-creds/sdk'

import {
  AbortedError, ConfigError, ExitCode, InternalError, LockTimeoutError, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'

export interface HostErrorRow {
  /** The exit code the rebuilt error carries (undefined: AbortedError, a stop, not a failure). */
  exitCode?: number
  /** Rebuilds the error on the host side; `extension` names the provider or writer, for messages. */
  make(message: string, hint: string | undefined, extension: string): Error
}

export const HOST_ERRORS = {
  aborted: {make: () => new AbortedError()},
  cancelled: {
    exitCode: ExitCode.noCode,
    make: (message, hint) => new PromptCancelledError(message, hint ?? 'run the command again to be asked again'),
  },
  config: {exitCode: ExitCode.configUnusable, make: (message, hint) => new ConfigError(message, hint)},
  internal: {exitCode: ExitCode.internal, make: (message, hint) => new InternalError(message, hint)},
  'lock-timeout': {exitCode: ExitCode.lockTimeout, make: (message, hint) => new LockTimeoutError(message, hint)},
  misconfigured: {
    exitCode: ExitCode.noCode,
    make: (message, hint, extension) => new PromptUnavailableError(`${extension}: ${message}`, hint),
  },
  'timed-out': {exitCode: ExitCode.noCode, make: (message, hint) => new PromptTimedOutError(message, hint)},
  unavailable: {
    exitCode: ExitCode.noCode,
    make: (message, hint, extension) => new PromptUnavailableError(`${extension}: ${message}`, hint),
  },
} as const satisfies Record<KnownErrorKind, HostErrorRow>

/** What one point takes from the table, and how it reports an error of any other kind. */
export interface PointErrors<K extends KnownErrorKind = KnownErrorKind> {
  failed(extension: string, message: string, hint: string | undefined): Error
  kinds: readonly K[]
}

/** The typed error (and exit code) an error answer stands for. */
export function errorFromData(point: PointErrors, data: ErrorData, extension: string): Error {
  const known = data.kind !== 'failed' && (point.kinds as readonly string[]).includes(data.kind)
  return known ? HOST_ERRORS[data.kind as KnownErrorKind].make(data.message, data.hint, extension) : point.failed(extension, data.message, data.hint)
}

/**
 * A built-in's error, called in process: reported as the same error a plugin's would be (the
 * kind, message and exit code a user sees do not depend on where the extension lives). Errors
 * that are not of a known kind are bugs of ours and pass through as they are.
 */
export function builtInError(point: PointErrors, error: unknown, extension: string): unknown {
  if (!errorKindOf(error)) return error
  return errorFromData(point, errorToData(point.kinds, error), extension)
}
