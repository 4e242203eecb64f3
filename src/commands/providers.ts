import {BaseCommand} from '../cli/base-command.js'
import {discover, Discovered} from '../extensions/host.js'

export default class Providers extends BaseCommand {
  static override description = 'List the prompt providers, credential writers and credential sources that are installed, with the plugin that offers each.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  public async run(): Promise<{promptProviders: Array<Discovered<'prompt'>>; sources: Array<Discovered<'source'>>; writers: Array<Discovered<'writer'>>}> {
    await this.parse(Providers)
    const providers = [...(await discover(this.config, 'prompt')).values()].sort((a, b) => a.name.localeCompare(b.name))
    const writers = [...(await discover(this.config, 'writer')).values()].sort((a, b) => a.name.localeCompare(b.name))
    const sources = [...(await discover(this.config, 'source')).values()].sort((a, b) => a.name.localeCompare(b.name))
    const all = [...providers, ...writers, ...sources]
    const width = Math.max(6, ...all.map(p => p.name.length))
    const plugin = Math.max(6, ...all.map(p => p.plugin.length))
    const table = (title: string, rows: Array<{description: string; name: string; plugin: string}>) => {
      this.log(`${title.padEnd(width)}  ${'PLUGIN'.padEnd(plugin)}  DESCRIPTION`)
      for (const p of rows) this.log(`${p.name.padEnd(width)}  ${p.plugin.padEnd(plugin)}  ${p.description}`)
    }

    table('PROMPT', providers)
    this.log('')
    table('WRITER', writers)
    this.log('')
    // A source that keeps keys (store and remove) says so: the keys commands can put keys there.
    table('SOURCE', sources.map(p => ({...p, description: p.stores ? `${p.description} (keeps keys)` : p.description})))
    this.log(`\nauto picks ssh-askpass or tty (OpenSSH rules). More: ${this.config.bin} plugins install NAME`)
    return {promptProviders: providers, sources, writers}
  }
}
