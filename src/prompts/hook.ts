/**
 * The prompt-provider extension point, as oclif custom hook events (discovery + action):
 *
 * - `mfa-creds:prompt-providers` is called with `{type: 'discover'}`; each plugin's hook answers
 *   the providers it offers: `[{name, description, retriesRejectedCodes}]`.
 * - `mfa-creds:prompt` is called with `{type: 'validate', name, options}` (before anything is
 *   asked) or `{type: 'ask', name, request, options}`. The hook of the plugin that offers `name`
 *   answers `{handled: true, problem?}` or `{handled: true, code}` or `{handled: true, error}`;
 *   every other hook answers `{handled: false}`.
 *
 * Answers are plain data, errors included (`{kind, message, hint}`): a thrown error would land in
 * oclif's `failures`, and a plugin needs no runtime import of mfa-creds to take part.
 * `definePromptProvider` builds such a hook from a few lines.
 */
import {
  AbortedError, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'
import {PromptRequest} from './provider.js'

export type PromptOptions = Record<string, string>

export interface PromptProviderInfo {
  description: string
  name: string
  retriesRejectedCodes: boolean
}

export type PromptErrorKind = 'aborted' | 'cancelled' | 'failed' | 'misconfigured' | 'timed-out' | 'unavailable'

export interface PromptErrorData {
  hint?: string
  kind: PromptErrorKind
  message: string
}

export type PromptHookPayload =
  | {name: string; options: PromptOptions; request: PromptRequest; type: 'ask'}
  | {name: string; options: PromptOptions; type: 'validate'}
  | {type: 'discover'}

export type PromptHookAnswer =
  | PromptProviderInfo[]
  | {code: string; handled: true}
  | {error: PromptErrorData; handled: true}
  | {handled: false}
  | {handled: true; problem?: string}

export interface PromptProviderSpec {
  /** Asks for a code; throw (or reject with) an error: its kind is kept (see errorKind). */
  ask(request: PromptRequest, options: PromptOptions): Promise<string>
  description: string
  name: string
  /** True when a person answers right here (a terminal), so a rejected code may be asked for again. */
  retriesRejectedCodes?: boolean
  /** Checks the provider's options (--prompt-option, mfa_creds_prompt_KEY); a message when they are wrong. */
  validateOptions?(options: PromptOptions): string | undefined
}

const PROMPT_ERROR_KINDS: Record<string, PromptErrorKind> = {
  AbortedError: 'aborted',
  PromptCancelledError: 'cancelled',
  PromptMisconfiguredError: 'misconfigured',
  PromptTimedOutError: 'timed-out',
  PromptUnavailableError: 'unavailable',
}

/** The kind of a provider's error, by class name, so it survives a second copy of this module. */
export function errorKind(error: unknown): PromptErrorKind {
  return PROMPT_ERROR_KINDS[(error as Error | undefined)?.name ?? ''] ?? 'failed'
}

/** Builds the hook a plugin registers for both events (`mfa-creds:prompt-providers`, `mfa-creds:prompt`). */
export function definePromptProvider(spec: PromptProviderSpec): (payload: PromptHookPayload) => Promise<PromptHookAnswer> {
  return async payload => {
    if (payload.type === 'discover') {
      return [{description: spec.description, name: spec.name, retriesRejectedCodes: spec.retriesRejectedCodes ?? false}]
    }

    if (payload.name !== spec.name) return {handled: false}
    if (payload.type === 'validate') return {handled: true, problem: spec.validateOptions?.(payload.options)}
    try {
      return {code: await spec.ask(payload.request, payload.options), handled: true}
    } catch (error) {
      const e = error as Error & {hint?: string}
      return {error: {hint: e.hint, kind: errorKind(error), message: e.message}, handled: true}
    }
  }
}

/** Options a provider does not know: for validateOptions. */
export function unknownOptions(options: PromptOptions, known: string[]): string | undefined {
  const extra = Object.keys(options).filter(key => !known.includes(key))
  if (extra.length === 0) return undefined
  return `unknown option${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (${known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes none'})`
}

/** Turns an error answer back into the typed error the refresher understands. */
export function errorFromData(data: PromptErrorData, provider: string): Error {
  const {hint} = data
  switch (data.kind) {
    case 'aborted': {
      return new AbortedError()
    }

    case 'cancelled': {
      return new PromptCancelledError(data.message, hint ?? 'run the command again to be asked again')
    }

    case 'timed-out': {
      return new PromptTimedOutError(data.message, hint)
    }

    case 'unavailable':
    case 'misconfigured': {
      return new PromptUnavailableError(`${provider}: ${data.message}`, hint)
    }

    default: {
      return new PromptUnavailableError(`the ${provider} prompt failed: ${data.message}`, hint)
    }
  }
}
