// The built-in kdialog provider announces itself through the same hook events as a plugin's;
// once chosen, the host calls it in process (src/extensions/host.ts).
import {definePromptProvider} from '@mfa-creds/sdk'

import {kdialogPrompt} from '../prompts/kdialog.js'

export default definePromptProvider(kdialogPrompt)
