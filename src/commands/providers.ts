import {BaseCommand} from '../cli/base-command.js'
import {DiscoveredProvider, discoverPromptProviders} from '../cli/extensions.js'

export default class Providers extends BaseCommand {
  static override description = 'List the prompt providers that are installed, with the plugin that offers each.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  public async run(): Promise<{promptProviders: DiscoveredProvider[]}> {
    await this.parse(Providers)
    const providers = [...(await discoverPromptProviders(this.config)).values()].sort((a, b) => a.name.localeCompare(b.name))
    const width = Math.max(4, ...providers.map(p => p.name.length))
    const plugin = Math.max(6, ...providers.map(p => p.plugin.length))
    this.log(`${'NAME'.padEnd(width)}  ${'PLUGIN'.padEnd(plugin)}  DESCRIPTION`)
    for (const p of providers) this.log(`${p.name.padEnd(width)}  ${p.plugin.padEnd(plugin)}  ${p.description}`)
    this.log(`\nauto picks ssh-askpass or tty (OpenSSH rules). More: ${this.config.bin} plugins install NAME`)
    return {promptProviders: providers}
  }
}
