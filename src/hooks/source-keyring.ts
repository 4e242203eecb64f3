// The built-in credential source "keyring" announces itself through the same hook events as a
// plugin's; once chosen, the host calls it in process (src/extensions/host.ts). The keyring's
// native module is loaded only when the source is used, not when it is announced.
import {defineCredentialSource} from '@mfa-creds/sdk'

import {keyringSource} from '../sources/keyring.js'

export default defineCredentialSource(keyringSource)
