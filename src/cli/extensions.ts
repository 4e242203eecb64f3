/**
 * The host side of the prompt-provider extension point (see prompts/hook.ts): discovery over every
 * plugin (built-ins included, through the same events), exactly one provider per name, failures
 * reported with the plugin's name, and an adapter from the action event to the PromptProvider
 * port that the refresher asks through.
 */
import {Config} from '@oclif/core'

import {
  ConfigError, InternalError, PromptUnavailableError, UsageError,
} from '../core/errors.js'
import {Settings} from '../core/settings.js'
import {
  errorFromData, PromptHookAnswer, PromptHookPayload, PromptOptions, PromptProviderInfo,
} from '../prompts/hook.js'
import {chooseAuto} from '../prompts/index.js'
import {PromptProvider, PromptRequest} from '../prompts/provider.js'
import {
  discover, ExtensionPoint, handledAnswer, hookFailure, installedList, runEvent,
} from './hook-events.js'

export const DISCOVER_EVENT = 'mfa-creds:prompt-providers'
export const ACTION_EVENT = 'mfa-creds:prompt'

export interface DiscoveredProvider extends PromptProviderInfo {
  plugin: string
}

const PROMPTS: ExtensionPoint = {action: ACTION_EVENT, discover: DISCOVER_EVENT, what: 'prompt provider'}
type Handled = Exclude<PromptHookAnswer, PromptProviderInfo[] | {handled: false}>

/** Every prompt provider offered, by name; two plugins offering one name is an error naming both. */
export function discoverPromptProviders(config: Config): Promise<Map<string, DiscoveredProvider>> {
  return discover<PromptProviderInfo>(config, PROMPTS)
}

/** The PromptProvider port, answered by whichever plugin offers `info.name`. */
class HookPromptProvider implements PromptProvider {
  readonly name: string
  readonly retriesRejectedCodes: boolean

  constructor(
    private readonly config: Config,
    private readonly info: DiscoveredProvider,
    private readonly options: PromptOptions,
  ) {
    this.name = info.name
    this.retriesRejectedCodes = info.retriesRejectedCodes
  }

  async ask(request: PromptRequest): Promise<string> {
    const payload: PromptHookPayload = {
      name: this.name, options: this.options, request, type: 'ask',
    }
    const {failures, successes} = await runEvent<PromptHookAnswer>(this.config, ACTION_EVENT, payload)
    const answer = handledAnswer<Handled>(successes)
    if (answer && 'code' in answer) return answer.code
    if (answer && 'error' in answer) throw errorFromData(answer.error, this.name)
    throw hookFailure(failures, PROMPTS.what) ?? new InternalError(`the plugin ${this.info.plugin} offers the prompt provider ${this.name} but did not answer for it`)
  }
}

class UnavailableProvider implements PromptProvider {
  readonly name = 'none'
  readonly retriesRejectedCodes = false

  constructor(private readonly error: Error) {}

  ask(): Promise<string> {
    return Promise.reject(this.error)
  }

  check(): void {
    throw this.error
  }
}

/**
 * The provider settings choose (`auto` by OpenSSH's rules), checked before anything is asked:
 * an unknown name lists what is installed; options the provider refuses are an error too.
 */
export async function resolvePromptProvider(config: Config, settings: Pick<Settings, 'prompt' | 'promptOptions' | 'promptSource'>, env: NodeJS.ProcessEnv = process.env): Promise<PromptProvider> {
  const providers = await discoverPromptProviders(config)
  let name = settings.prompt
  if (name === 'auto') {
    const chosen = chooseAuto(env)
    if (!chosen) {
      return new UnavailableProvider(new PromptUnavailableError(
        'no way to ask for the MFA code: there is no terminal and no display (DISPLAY or WAYLAND_DISPLAY)',
        'run it in a terminal, set DISPLAY for ssh-askpass, or choose with --prompt NAME (SSH_ASKPASS_REQUIRE=force also selects ssh-askpass)',
      ))
    }

    name = chosen
  }

  const Problem = settings.promptSource === 'flag' ? UsageError : ConfigError
  const info = providers.get(name)
  if (!info) {
    throw new Problem(`unknown prompt provider "${name}"`, `installed: ${installedList(providers)}, or auto; add more with mfa-creds plugins install`)
  }

  const {failures, successes} = await runEvent<PromptHookAnswer>(config, ACTION_EVENT, {name, options: settings.promptOptions, type: 'validate'} satisfies PromptHookPayload)
  const answer = handledAnswer<Handled>(successes)
  if (!answer) throw hookFailure(failures, PROMPTS.what) ?? new InternalError(`the plugin ${info.plugin} offers ${name} but does not answer for it`)
  if ('problem' in answer && answer.problem) {
    throw new Problem(`the ${name} prompt provider's options are not usable: ${answer.problem}`, 'fix --prompt-option or mfa_creds_prompt_KEY in ~/.aws/config')
  }

  return new HookPromptProvider(config, info, settings.promptOptions)
}
