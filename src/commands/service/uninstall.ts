import {Flags} from '@oclif/core'
import os from 'node:os'

import {BaseCommand} from '../../cli/base-command.js'
import {Platform, uninstallService} from '../../core/os/service.js'

export default class ServiceUninstall extends BaseCommand {
  static override description = 'Stop the `watch` service and remove its file.'
  static override examples = ['<%= config.bin %> <%= command.id %>']
  static override flags = {
    platform: Flags.string({default: process.platform === 'darwin' ? 'darwin' : 'linux', description: 'linux: systemd; darwin: launchd.', options: ['linux', 'darwin']}),
  }

  public async run(): Promise<void> {
    const {flags} = await this.parse(ServiceUninstall)
    const result = await uninstallService(flags.platform as Platform, process.env.HOME || os.homedir(), process.getuid?.() ?? 0)
    this.log(result.removed ? `Stopped and removed ${result.file}.` : `Nothing to remove: ${result.file} does not exist.`)
  }
}
