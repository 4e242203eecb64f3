/**
 * The prompt-provider point on the one host: the spec a provider implements, its builder, and the
 * PromptProvider port the refresher asks through. Events: `mfa-creds:prompt-providers`
 * (discovery: `[{name, description, retriesRejectedCodes}]`) and `mfa-creds:prompt` (`validate`,
 * `ask` -> `{code}`); see events.ts.
 */
import type {PromptProvider, PromptRequest} from '../core/refresh/ports.js'
import type {ErrorData} from './errors.js'
import type {ErrorKindOf, HookAnswer, HookPayload} from './events.js'
import type {ExtensionOptions} from './options.js'

import {InternalError} from '../core/errors.js'
import {
  defineExtension, ExtensionHook, ExtensionSpec, PointCodec,
} from './define.js'

export type {PromptProviderInfo} from './events.js'
export type PromptErrorKind = ErrorKindOf<'prompt'>
export type PromptErrorData = ErrorData<PromptErrorKind>
export type PromptHookPayload = HookPayload<'prompt'>
export type PromptHookAnswer = HookAnswer<'prompt'>

export interface PromptProviderSpec extends ExtensionSpec {
  /** Asks for a code; throw (or reject with) a typed error: its kind is kept (errors.ts). */
  ask(request: PromptRequest, options: ExtensionOptions): Promise<string>
  /** True when a person answers right here (a terminal), so a rejected code may be asked for again. */
  retriesRejectedCodes?: boolean
}

export const PROMPT_POINT: PointCodec<'prompt', PromptProviderSpec> = {
  act: async (spec, payload) => ({code: await spec.ask(payload.request, payload.options)}),
  info: spec => ({description: spec.description, name: spec.name, retriesRejectedCodes: spec.retriesRejectedCodes ?? false}),
  overHook: (info, call) => ({
    async ask(request, options) {
      const {code} = await call('ask', options, {request})
      if (typeof code !== 'string') throw new InternalError(`the plugin ${info.plugin} offers the prompt provider ${info.name} but did not answer for it`)
      return code
    },
    description: info.description,
    name: info.name,
    retriesRejectedCodes: info.retriesRejectedCodes,
  }),
  point: 'prompt',
}

/** Builds the hook a plugin registers for both events (`mfa-creds:prompt-providers`, `mfa-creds:prompt`). */
export function definePromptProvider(spec: PromptProviderSpec): ExtensionHook<'prompt'> {
  return defineExtension(PROMPT_POINT, spec)
}

/** The port the refresher asks through, over a provider's spec (a built-in's, or a plugin's over its hook). */
export function promptPort(spec: PromptProviderSpec, options: ExtensionOptions, rethrow: (error: unknown) => unknown): PromptProvider {
  return {
    async ask(request) {
      try {
        return await spec.ask(request, options)
      } catch (error) {
        throw rethrow(error)
      }
    },
    name: spec.name,
    retriesRejectedCodes: spec.retriesRejectedCodes ?? false,
  }
}
