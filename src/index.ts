export type {SessionCredentials} from './core/aws/sts.js'
/**
 * The plugin SDK: what a prompt-provider or credential-writer plugin needs, typed.
 *
 * A provider is a hook registered for the events `mfa-creds:prompt-providers` (discovery) and
 * `mfa-creds:prompt` (action); `definePromptProvider` builds it. A writer is a hook for
 * `mfa-creds:writers` and `mfa-creds:write`; `defineCredentialWriter` builds it. Both are built
 * on `defineExtension` over the event map of src/extensions/events.ts. See README, "Plugins".
 */
export {
  AbortedError, ConfigError, InternalError, InvalidCodeError, LockTimeoutError, MfaCredsError, PromptCancelledError, PromptMisconfiguredError, PromptTimedOutError, PromptUnavailableError,
} from './core/errors.js'
export type {
  CredentialWriter, PromptProvider, PromptRequest, TargetState, WriteRequest, WriteResult,
} from './core/refresh/ports.js'
export {defineExtension} from './extensions/define.js'
export type {ExtensionHook, ExtensionSpec, PointCodec} from './extensions/define.js'
export {ERROR_KINDS, errorFromData, errorToData} from './extensions/errors.js'
export type {ErrorData, ExtensionErrorKind} from './extensions/errors.js'
export {EXTENSION_POINTS} from './extensions/events.js'
export type {
  ExtensionEventMap, ExtensionInfo, HookAnswer, HookPayload, PointName,
} from './extensions/events.js'
export {unknownOptions} from './extensions/options.js'
export type {ExtensionOptions, ExtensionOptions as PromptOptions, ExtensionOptions as WriterOptions} from './extensions/options.js'
export {definePromptProvider} from './extensions/prompt.js'
export type {
  PromptErrorData, PromptErrorKind, PromptHookAnswer, PromptHookPayload, PromptProviderInfo, PromptProviderSpec,
} from './extensions/prompt.js'
export {defineCredentialWriter} from './extensions/writer.js'
export type {
  CredentialWriterSpec, WriterContext, WriteRequestData, WriterErrorKind, WriterHookAnswer, WriterHookPayload, WriterInfo,
} from './extensions/writer.js'
export {promptText} from './prompts/provider.js'
