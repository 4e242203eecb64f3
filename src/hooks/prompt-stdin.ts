// The built-in stdin provider announces itself through the same hook events as a plugin's;
// once chosen, the host calls it in process (src/extensions/host.ts).
import {definePromptProvider} from '@mfa-creds/sdk'

import {stdinPrompt} from '../prompts/stdin.js'

export default definePromptProvider(stdinPrompt)
