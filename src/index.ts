/**
 * The plugin SDK: types and helpers for prompt providers and credential writers.
 */
export {
  ConfigError,
  InvalidCodeError,
  MfaCredsError,
  PromptCancelledError,
  PromptTimedOutError,
  PromptUnavailableError,
} from './core/errors.js'
export type {SessionCredentials} from './core/sts.js'
export type {PromptProvider, PromptRequest} from './prompts/provider.js'
export {promptText} from './prompts/provider.js'
export type {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from './writers/writer.js'
