import {BaseCommand} from '../cli/base-command.js'
import {discover, Discovered} from '../extensions/host.js'

export default class Providers extends BaseCommand {
  static override description = 'List the prompt providers and credential writers that are installed, with the plugin that offers each.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  public async run(): Promise<{promptProviders: Array<Discovered<'prompt'>>; writers: Array<Discovered<'writer'>>}> {
    await this.parse(Providers)
    const providers = [...(await discover(this.config, 'prompt')).values()].sort((a, b) => a.name.localeCompare(b.name))
    const writers = [...(await discover(this.config, 'writer')).values()].sort((a, b) => a.name.localeCompare(b.name))
    const all = [...providers, ...writers]
    const width = Math.max(6, ...all.map(p => p.name.length))
    const plugin = Math.max(6, ...all.map(p => p.plugin.length))
    const table = (title: string, rows: Array<{description: string; name: string; plugin: string}>) => {
      this.log(`${title.padEnd(width)}  ${'PLUGIN'.padEnd(plugin)}  DESCRIPTION`)
      for (const p of rows) this.log(`${p.name.padEnd(width)}  ${p.plugin.padEnd(plugin)}  ${p.description}`)
    }

    table('PROMPT', providers)
    this.log('')
    table('WRITER', writers)
    this.log(`\nauto picks ssh-askpass or tty (OpenSSH rules). More: ${this.config.bin} plugins install NAME`)
    return {promptProviders: providers, writers}
  }
}
