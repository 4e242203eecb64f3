import {Flags} from '@oclif/core'

import {status} from '../cli/actions/status.js'
import {BaseCommand} from '../cli/base-command.js'
import {DEFAULT_LEAD_TIME} from '../core/refresh/settings.js'
import {StatusReport} from '../core/state/status.js'

export default class Status extends BaseCommand {
  static override description = `Show which MFA credentials are fresh, when they expire, who holds the lock, and which watchers run.

Exit status: 0 when nothing shown is expired or incomplete, 1 when something is, 6 when the files cannot be read or -p names a profile found nowhere.`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Every managed profile'},
    {command: '<%= config.bin %> <%= command.id %> -p work', description: 'Only [work-mfa]'},
    {command: '<%= config.bin %> <%= command.id %> --json', description: 'The same facts for scripts (field names are stable)'},
    {command: '<%= config.bin %> <%= command.id %> -p work >/dev/null || mfa-creds refresh-once -p work', description: 'Refresh only when expired'},
  ]
  static override flags = {
    profile: Flags.string({char: 'p', description: 'Only the profiles refreshed from this profile (or this very section).', helpValue: 'PROFILE'}),
    'refresh-lead-time': Flags.integer({
      default: DEFAULT_LEAD_TIME, description: '"refresh due" means expiring within this many seconds.', helpValue: 'SECONDS', min: 0,
    }),
  }

  public async run(): Promise<StatusReport> {
    const {flags} = await this.parse(Status)
    return status(flags, this.io())
  }
}
