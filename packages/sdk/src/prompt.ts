/**
 * The prompt-provider point, plugin side: the spec a provider implements and its builder. Events:
 * `mfa-creds:prompt-providers` (discovery: `[{name, description, retriesRejectedCodes}]`) and
 * `mfa-creds:prompt` (`validate`, `ask` -> `{code}`); see events.ts.
 */
import type {ExtensionHook, ExtensionSpec, PointCodec} from './define.js'
import type {ErrorData} from './errors.js'
import type {ErrorKindOf, HookAnswer, HookPayload} from './events.js'
import type {ExtensionOptions} from './options.js'
import type {PromptRequest} from './requests.js'

import {defineExtension} from './define.js'

export type PromptErrorKind = ErrorKindOf<'prompt'>
export type PromptErrorData = ErrorData<PromptErrorKind>
export type PromptHookPayload = HookPayload<'prompt'>
export type PromptHookAnswer = HookAnswer<'prompt'>

export interface PromptProviderSpec extends ExtensionSpec {
  /**
   * Asks for a code; throw (or reject with) a typed error (errors.ts: PromptCancelledError,
   * PromptTimedOutError, PromptUnavailableError, AbortedError when `request.signal` aborts): its
   * kind is kept. mfa-creds checks the code (six digits), not the provider.
   */
  ask(request: PromptRequest, options: ExtensionOptions): Promise<string>
  /** True when a person answers right here (a terminal), so a rejected code may be asked for again. */
  retriesRejectedCodes?: boolean | undefined
}

export const PROMPT_CODEC: PointCodec<'prompt', PromptProviderSpec> = {
  // An action this provider does not know (a newer host): nothing to say about it.
  act: async (spec, payload) => (payload.type === 'ask' ? {code: await spec.ask(payload.request, payload.options)} : {} as never),
  info: spec => ({description: spec.description, name: spec.name, retriesRejectedCodes: spec.retriesRejectedCodes ?? false}),
  point: 'prompt',
}

/** Builds the hook a plugin registers for both events (`mfa-creds:prompt-providers`, `mfa-creds:prompt`). */
export function definePromptProvider(spec: PromptProviderSpec): ExtensionHook<'prompt'> {
  return defineExtension(PROMPT_CODEC, spec)
}
