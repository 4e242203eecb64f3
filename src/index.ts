export type {SessionCredentials} from './core/aws/sts.js'
/**
 * The `mfa-creds` main entry, for TypeScript users: the plugin SDK, re-exported, and the CLI's
 * own ports and prompt text.
 *
 * At run time a plugin depends on `@mfa-creds/sdk`, not on mfa-creds: `mfa-creds plugins install`
 * runs npm in the data dir, where a dependency on the CLI would install a second CLI and the AWS
 * SDK. The sdk is a small package with no dependencies that both sides depend on (README,
 * "Plugins"); `import {definePromptProvider} from 'mfa-creds'` gives the very same builders,
 * events, errors and types. A provider is a hook registered for the events
 * `mfa-creds:prompt-providers` (discovery) and `mfa-creds:prompt` (action), built by
 * `definePromptProvider`; a writer, for `mfa-creds:writers` and `mfa-creds:write`, by
 * `defineCredentialWriter`.
 */
export type {CredentialWriter, PromptProvider} from './core/refresh/ports.js'
export {promptText} from './prompts/dialog.js'
export * from '@mfa-creds/sdk'
