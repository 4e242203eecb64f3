// The built-in terminal provider, registered through the same hook events as a plugin's.
import {definePromptProvider, unknownOptions} from '../prompts/hook.js'
import {TtyProvider} from '../prompts/tty.js'

export default definePromptProvider({
  ask: request => new TtyProvider().ask(request),
  description: 'the controlling terminal (/dev/tty), echo off',
  name: 'tty',
  retriesRejectedCodes: true,
  validateOptions: options => unknownOptions(options, []),
})
