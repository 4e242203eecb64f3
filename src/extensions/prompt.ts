/**
 * The prompt-provider point, host side: the spec implemented over the hook (`overHook`, a
 * plugin's answer checked), and the PromptProvider port the refresher asks through. The spec a
 * provider implements, its builder and its events are the sdk's (@mfa-creds/sdk, prompt.ts).
 */
import type {ExtensionOptions, PromptProviderSpec} from '@mfa-creds/sdk'

import type {PromptProvider} from '../core/refresh/ports.js'
import type {HostCodec} from './host.js'

import {InternalError} from '../core/errors.js'

export const PROMPT_POINT: HostCodec<'prompt', PromptProviderSpec> = {
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
