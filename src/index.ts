/**
 * The plugin SDK: what a prompt-provider or credential-writer plugin needs, typed.
 *
 * A provider is a hook registered for the events `mfa-creds:prompt-providers` (discovery) and
 * `mfa-creds:prompt` (action); `definePromptProvider` builds it. See README, "Plugins".
 */
export {
  AbortedError,
  ConfigError,
  InvalidCodeError,
  MfaCredsError,
  PromptCancelledError,
  PromptMisconfiguredError,
  PromptTimedOutError,
  PromptUnavailableError,
} from './core/errors.js'
export type {SessionCredentials} from './core/sts.js'
export {definePromptProvider, unknownOptions} from './prompts/hook.js'
export type {
  PromptErrorData,
  PromptErrorKind,
  PromptHookAnswer,
  PromptHookPayload,
  PromptOptions,
  PromptProviderInfo,
  PromptProviderSpec,
} from './prompts/hook.js'
export type {PromptProvider, PromptRequest} from './prompts/provider.js'
export {promptText} from './prompts/provider.js'
export type {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from './writers/writer.js'
