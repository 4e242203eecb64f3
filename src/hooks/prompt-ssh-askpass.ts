// The built-in ssh-askpass provider announces itself through the same hook events as a plugin's;
// once chosen, the host calls it in process (src/extensions/host.ts).
import {definePromptProvider} from '@mfa-creds/sdk'

import {sshAskpassPrompt} from '../prompts/ssh-askpass.js'

export default definePromptProvider(sshAskpassPrompt)
