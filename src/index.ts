/**
 * The plugin SDK: what a prompt-provider or credential-writer plugin needs, typed.
 *
 * A provider is a hook registered for the events `mfa-creds:prompt-providers` (discovery) and
 * `mfa-creds:prompt` (action); `definePromptProvider` builds it. A writer is a hook for
 * `mfa-creds:writers` and `mfa-creds:write`; `defineCredentialWriter` builds it. See README,
 * "Plugins".
 */
export {
  AbortedError,
  ConfigError,
  InternalError,
  InvalidCodeError,
  LockTimeoutError,
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
export {defineCredentialWriter} from './writers/hook.js'
export type {
  CredentialWriterSpec, WriterContext, WriterErrorKind, WriterHookAnswer, WriterHookPayload, WriterInfo, WriterOptions, WriteRequestData,
} from './writers/hook.js'
