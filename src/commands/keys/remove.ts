import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {keysFlags} from '../../cli/flags.js'
import {resolveKeySource} from '../../cli/ports.js'
import {confirm} from '../../cli/read-keys.js'
import {UsageError} from '../../core/errors.js'
import {keyToRemove, removeKeys} from '../../core/keys/remove.js'
import {resolveKeysSettings} from '../../core/keys/settings.js'

export default class KeysRemove extends BaseCommand {
  static override description = `Remove a profile's long-term keys from its credential source.

Asks for a yes on the terminal first (--force: no question; without a terminal --force is required). The key stays active in IAM: delete it there too if nobody needs it (or make a new one and retire this one with keys rotate).`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -p old-job', description: 'Remove the keys of [old-job] from where they are kept, after a yes'},
    {command: '<%= config.bin %> <%= command.id %> -p ci --force', description: 'From a script: no question'},
  ]
  static override flags = {
    ...keysFlags,
    force: Flags.boolean({description: 'Remove without asking.'}),
  }

  public async run(): Promise<{accessKeyId: string; profile: string; source: string}> {
    const {flags} = await this.parse(KeysRemove)
    const settings = await resolveKeysSettings({...flags, lockTimeout: flags['lock-timeout']})
    const source = await resolveKeySource(this.config, settings)
    const accessKeyId = await keyToRemove(settings, source)
    if (!flags.force) {
      if (!process.stdin.isTTY) throw new UsageError(`stdin is not a terminal, so there is nobody to ask whether to remove ${accessKeyId} of ${settings.profile}`, 'pass --force to remove it without asking')
      const yes = await this.withShutdown(signal => confirm(`Remove the key ${accessKeyId} of ${settings.profile} from ${source.name}? It stays active in IAM.`, signal))
      if (!yes) throw new UsageError('not removed: the answer was not yes', 'answer y to remove it, or pass --force')
    }

    await removeKeys(settings, source)
    this.log(`${accessKeyId} of ${settings.profile} removed from ${source.name} (it is still active in IAM: delete it there if nobody needs it)`)
    return {accessKeyId, profile: settings.profile, source: source.name}
  }
}
