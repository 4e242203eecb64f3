import {credentialProcess} from '../cli/actions/credential-process.js'
import {BaseCommand} from '../cli/base-command.js'
import {refreshFlags} from '../cli/flags.js'

export default class CredentialProcess extends BaseCommand {
  static override description = 'For `credential_process = mfa-creds credential-process -p PROFILE` in ~/.aws/config: refresh PROFILE-mfa if it is due (asking for a code with the configured provider), then print its credentials as credential_process JSON. Nothing else goes to stdout; errors go to stderr with a non-zero exit.'
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -p default', description: 'What the AWS CLI and SDKs run for a profile with credential_process'},
  ]
  static override flags = refreshFlags

  public async run(): Promise<void> {
    const {flags} = await this.parse(CredentialProcess)
    await credentialProcess(flags, this.config, this.io())
  }
}
