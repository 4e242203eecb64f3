import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {serviceFlags, serviceSpec} from '../../cli/service.js'
import {installService} from '../../core/os/service.js'
import {resolveSettings} from '../../core/refresh/settings.js'

export default class ServiceInstall extends BaseCommand {
  static override description = `Run \`watch\` as a service of your login: a systemd user unit on Linux, a launchd agent on macOS.

The service gets the display and askpass variables of the session you install it from (so ssh-askpass windows can appear) and restarts when it fails. Settings are checked first.`
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Keep [default-mfa] fresh from login on'},
    {command: '<%= config.bin %> <%= command.id %> -p dev -p prod --keep-going', description: 'Two profiles; never give up after a cancelled prompt'},
    {command: '<%= config.bin %> <%= command.id %> --no-start', description: 'Only write the unit file'},
  ]
  static override flags = {
    ...serviceFlags,
    start: Flags.boolean({allowNo: true, default: true, description: 'Enable and start it now (--no-start: only write the file).'}),
  }

  public async run(): Promise<void> {
    const {flags} = await this.parse(ServiceInstall)
    for (const profile of new Set(flags.profile)) {
      await resolveSettings({...flags, profile})
    }

    const result = await installService(serviceSpec(flags, this.config), {start: flags.start, uid: process.getuid?.() ?? 0})
    this.log(result.started ? `Installed and started: ${result.file}` : `Wrote ${result.file} (not started).`)
  }
}
