// The built-in ssh-askpass provider, registered through the same hook events as a plugin's.
import {definePromptProvider, unknownOptions} from '../prompts/hook.js'
import {SshAskpassProvider} from '../prompts/ssh-askpass.js'

export default definePromptProvider({
  ask: request => new SshAskpassProvider().ask(request),
  description: 'a window from $SSH_ASKPASS, else ssh-askpass on PATH (for a desktop, or a service)',
  name: 'ssh-askpass',
  validateOptions: options => unknownOptions(options, []),
})
