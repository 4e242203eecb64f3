import {Flags} from '@oclif/core'

import {exportCredentials} from '../cli/actions/export.js'
import {BaseCommand} from '../cli/base-command.js'
import {EXPORT_FORMATS} from '../core/aws/session-credentials.js'

export default class Export extends BaseCommand {
  static override description = 'Print the current session credentials of PROFILE-mfa for a shell or a program, like `aws configure export-credentials`. They are secrets: this is the one command that prints them, to stdout, because you asked.'
  static override examples = [
    {command: 'eval "$(<%= config.bin %> <%= command.id %> -p work)"', description: 'Put [work-mfa] into this shell'},
    {command: '<%= config.bin %> <%= command.id %> --format powershell | Invoke-Expression', description: 'The same in PowerShell'},
    {command: '<%= config.bin %> <%= command.id %> --format json', description: 'The credential_process JSON'},
  ]
  static override flags = {
    format: Flags.string({default: 'env', description: 'env (export VAR=...), env-no-export (VAR=...), powershell ($Env:VAR=...) or json (credential_process).', options: [...EXPORT_FORMATS]}),
    profile: Flags.string({
      char: 'p', default: 'default', description: 'Source profile; its session credentials are in PROFILE-mfa.', helpValue: 'PROFILE',
    }),
    'target-profile': Flags.string({description: 'The section that holds them, when not PROFILE-mfa.', helpValue: 'NAME'}),
  }

  public async run(): Promise<void> {
    const {flags} = await this.parse(Export)
    await exportCredentials(flags)
  }
}
