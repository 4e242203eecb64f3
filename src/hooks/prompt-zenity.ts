// The built-in zenity provider announces itself through the same hook events as a plugin's;
// once chosen, the host calls it in process (src/extensions/host.ts).
import {definePromptProvider} from '@mfa-creds/sdk'

import {zenityPrompt} from '../prompts/zenity.js'

export default definePromptProvider(zenityPrompt)
