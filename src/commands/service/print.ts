import {BaseCommand} from '../../cli/base-command.js'
import {serviceFlags, serviceSpec} from '../../cli/service.js'
import {serviceFile, servicePath} from '../../core/os/service.js'

export default class ServicePrint extends BaseCommand {
  static override description = 'Show the service file that `service install` would write, without writing it.'
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'The systemd user unit for watching [default]'},
    {command: '<%= config.bin %> <%= command.id %> -p dev -p prod --platform darwin', description: 'The launchd agent for two profiles'},
  ]
  static override flags = serviceFlags

  public async run(): Promise<void> {
    const {flags} = await this.parse(ServicePrint)
    const spec = serviceSpec(flags, this.config)
    const text = serviceFile(spec)
    this.log(`# ${servicePath(spec.platform, spec.home)}`)
    this.log(text.trimEnd())
  }
}
