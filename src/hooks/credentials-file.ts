// The built-in credentials-file writer, registered through the same hook events as a plugin's.
import {checkWritable, readIniFile} from '../core/credentials-file.js'
import {unknownOptions} from '../prompts/hook.js'
import {CredentialsFileWriter, targetState} from '../writers/credentials-file.js'
import {defineCredentialWriter} from '../writers/hook.js'

export default defineCredentialWriter({
  check: (_target, _options, context) => checkWritable(context.credentialsFile),
  description: 'the shared credentials file, under the lock other tools share (the default)',
  name: 'credentials-file',
  async read(targetProfile, _options, context) {
    return targetState(context.credentials ?? (await readIniFile(context.credentialsFile, 'credentials file')), targetProfile)
  },
  validateOptions: options => unknownOptions(options, []),
  write: (request, _options, context) => new CredentialsFileWriter(context.credentialsFile).write(request),
})
