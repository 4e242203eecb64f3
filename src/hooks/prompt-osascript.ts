// The built-in osascript provider announces itself through the same hook events as a plugin's;
// once chosen, the host calls it in process (src/extensions/host.ts).
import {definePromptProvider} from '@mfa-creds/sdk'

import {osascriptPrompt} from '../prompts/osascript.js'

export default definePromptProvider(osascriptPrompt)
