// The built-in terminal provider announces itself through the same hook events as a plugin's;
// once chosen, the host calls it in process (src/extensions/host.ts).
import {definePromptProvider} from '@mfa-creds/sdk'

import {ttyPrompt} from '../prompts/tty.js'

export default definePromptProvider(ttyPrompt)
