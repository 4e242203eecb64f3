// The built-in credential source "command" announces itself through the same hook events as a
// plugin's; once chosen, the host calls it in process (src/extensions/host.ts).
import {defineCredentialSource} from '@mfa-creds/sdk'

import {commandSource} from '../sources/command.js'

export default defineCredentialSource(commandSource)
