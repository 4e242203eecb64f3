import {BaseCommand} from '../cli/base-command.js'
import {refreshFlags} from '../cli/flags.js'
import {promptNotifier} from '../cli/notify.js'
import {resolvePorts} from '../cli/ports.js'
import {credentialProcessJson, readSessionCredentials} from '../core/aws/session-credentials.js'
import {UsageError} from '../core/errors.js'
import {refreshOnce} from '../core/refresh/refresher.js'
import {resolveSettings} from '../core/refresh/settings.js'

export default class CredentialProcess extends BaseCommand {
  static override description = 'For `credential_process = mfa-creds credential-process -p PROFILE` in ~/.aws/config: refresh PROFILE-mfa if it is due (asking for a code with the configured provider), then print its credentials as credential_process JSON. Nothing else goes to stdout; errors go to stderr with a non-zero exit.'
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -p default', description: 'What the AWS CLI and SDKs run for a profile with credential_process'},
  ]
  static override flags = refreshFlags

  public async run(): Promise<void> {
    const {flags} = await this.parse(CredentialProcess)
    const settings = await resolveSettings(flags)
    if (settings.writer !== 'credentials-file') {
      throw new UsageError(`credential-process reads the credentials file, but the writer is ${settings.writer}`, 'use --writer credentials-file (the default) for this profile')
    }

    const ports = await resolvePorts(this.config, settings)
    await this.withShutdown(signal => refreshOnce(settings, {
      ...ports, onEvent: promptNotifier(flags.notify, settings.profile, settings.targetProfile, signal), signal,
    }))
    const credentials = await readSessionCredentials(settings.credentialsFile, settings.targetProfile, settings.profile)
    process.stdout.write(`${credentialProcessJson(credentials)}\n`)
  }
}
