/**
 * The plugin side of mfa-creds (`@mfa-creds/sdk`), with no dependencies. What a prompt-provider,
 * credential-writer or credential-source plugin needs at run time, typed: the event map
 * (events.ts), the builders (`definePromptProvider`, `defineCredentialWriter`,
 * `defineCredentialSource`, on `defineExtension`), the errors whose
 * kinds cross the hook (errors.ts), `unknownOptions`, the RFC 3339 conversions, and
 * `runInOwnGroup` for a plugin that runs a tool. mfa-creds itself is the host side; it depends
 * on this package and re-exports it.
 */
export {defineExtension} from './define.js'
export type {ExtensionHook, ExtensionSpec, PointCodec} from './define.js'
export {
  AbortedError,
  ConfigError,
  ERROR_KINDS,
  errorKindOf,
  errorToData,
  ExtensionError,
  InternalError,
  LockTimeoutError,
  PromptCancelledError,
  PromptMisconfiguredError,
  PromptTimedOutError,
  PromptUnavailableError,
} from './errors.js'
export type {ErrorData, ExtensionErrorKind, KnownErrorKind} from './errors.js'
export {EXTENSION_EVENTS} from './events.js'
export type {
  ActionAnswer,
  ActionName,
  ActionPayload,
  CredentialSourceInfo,
  ErrorKindOf,
  ExtensionEventMap,
  ExtensionInfo,
  HookAnswer,
  HookPayload,
  Info,
  PointEvents,
  PointName,
  PromptProviderInfo,
  SourceContext,
  WriterContext,
  WriteRequestData,
  WriterInfo,
} from './events.js'
export {unknownOptions} from './options.js'
export type {ExtensionOptions, ExtensionOptions as PromptOptions, ExtensionOptions as WriterOptions} from './options.js'
export {runInOwnGroup} from './own-group.js'
export type {GroupOptions, ProgramOutcome} from './own-group.js'
export {definePromptProvider, PROMPT_CODEC} from './prompt.js'
export type {
  PromptErrorData, PromptErrorKind, PromptHookAnswer, PromptHookPayload, PromptProviderSpec,
} from './prompt.js'
export type {
  LongTermKeys, PromptRequest, SessionCredentials, TargetState, WriteRequest, WriteResult,
} from './requests.js'
export {defineCredentialSource, SOURCE_CODEC} from './source.js'
export type {
  CredentialSourceSpec, SourceErrorData, SourceErrorKind, SourceHookAnswer, SourceHookPayload,
} from './source.js'
export {fromRfc3339, toRfc3339} from './time.js'
export {defineCredentialWriter, WRITER_CODEC} from './writer.js'
export type {
  CredentialWriterSpec, WriterErrorData, WriterErrorKind, WriterHookAnswer, WriterHookPayload,
} from './writer.js'
