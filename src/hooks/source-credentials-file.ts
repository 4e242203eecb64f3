// The built-in credential source "credentials-file" announces itself through the same hook events as a
// plugin's; once chosen, the host calls it in process (src/extensions/host.ts).
import {defineCredentialSource} from '@mfa-creds/sdk'

import {credentialsFileSource} from '../sources/credentials-file.js'

export default defineCredentialSource(credentialsFileSource)
