import type {Config} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {discover, Discovered} from '../extensions/host.js'

/** A point's offers, by name. */
async function byName<P extends 'prompt' | 'source' | 'writer'>(config: Config, point: P): Promise<Array<Discovered<P>>> {
  return [...(await discover(config, point)).values()].sort((a, b) => a.name.localeCompare(b.name))
}

export default class Providers extends BaseCommand {
  static override description = 'List the prompt providers, credential writers and credential sources that are installed, with the plugin that offers each.'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  public async run(): Promise<{promptProviders: Array<Discovered<'prompt'>>; sources: Array<Discovered<'source'>>; writers: Array<Discovered<'writer'>>}> {
    await this.parse(Providers)
    const [providers, writers, sources] = await Promise.all([byName(this.config, 'prompt'), byName(this.config, 'writer'), byName(this.config, 'source')])
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
    table('SOURCE', sources.map(s => ({...s, description: s.stores ? s.description : `${s.description}; gives keys, does not keep them`})))
    this.log('\nauto picks tty in a terminal, else a window: $SSH_ASKPASS when set, osascript on macOS, else the first installed of zenity, kdialog,'
      + ` ssh-askpass (kdialog first in KDE); SSH_ASKPASS_REQUIRE comes first of all, as in OpenSSH. More: ${this.config.bin} plugins install NAME`)
    return {promptProviders: providers, sources, writers}
  }
}
