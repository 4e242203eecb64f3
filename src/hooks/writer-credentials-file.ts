// The built-in credentials-file writer announces itself through the same hook events as a
// plugin's; once chosen, the host calls it in process (src/extensions/host.ts).
import {defineCredentialWriter} from '@mfa-creds/sdk'

import {credentialsFileWriter} from '../writers/credentials-file.js'

export default defineCredentialWriter(credentialsFileWriter)
