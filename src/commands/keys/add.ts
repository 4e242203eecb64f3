import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {keysFlags} from '../../cli/flags.js'
import {resolveKeySource} from '../../cli/ports.js'
import {readKeys} from '../../cli/read-keys.js'
import {addKeys, checkAdd} from '../../core/keys/add.js'
import {resolveKeysSettings} from '../../core/keys/settings.js'

export interface KeysAddJson {
  accessKeyId: string
  config: 'unchanged' | 'written'
  configFile: string
  profile: string
  source: string
}

export default class KeysAdd extends BaseCommand {
  static override description = `Keep an IAM user's access key for a profile, in its credential source.

Asks for the access key id and the secret access key on the terminal (the secret is not shown), or, when stdin is not a terminal, reads them as two lines from stdin (the id, then the secret). Never from the command line. The id must be an IAM user's (AKIA...; ASIA... are session keys, refused). The key is stored in the source, and mfa_creds_source = NAME (with its options, mfa_creds_source_KEY) is written into the profile's config section, unless the source is the credentials file and nothing else is configured. A source that cannot keep keys (command) is refused before anything is asked.`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -p work', description: 'Type the key of [work] on the terminal; it goes into the credentials file'},
    {command: '<%= config.bin %> <%= command.id %> -p work --source keyring', description: 'Keep it in the OS keyring instead, and say so in [profile work] of ~/.aws/config'},
    {command: String.raw`printf '%s\n%s\n' "$ID" "$SECRET" | <%= config.bin %> <%= command.id %> -p ci --json`, description: 'From a script: the id and the secret as two lines of stdin'},
  ]
  static override flags = {
    ...keysFlags,
    force: Flags.boolean({description: 'Replace a key the source already holds for the profile (it is lost there: delete it in IAM too, or use keys rotate).'}),
  }

  public async run(): Promise<KeysAddJson> {
    const {flags} = await this.parse(KeysAdd)
    const settings = await resolveKeysSettings({...flags, lockTimeout: flags['lock-timeout']})
    const source = await resolveKeySource(this.config, settings)
    await checkAdd(settings, source, flags.force)
    const typed = await this.withShutdown(signal => readKeys(settings.profile, signal))
    const {accessKeyId, config} = await addKeys(settings, source, typed)
    this.log(`${accessKeyId} is kept for ${settings.profile} in ${source.name}${config === 'written' ? `; mfa_creds_source = ${source.name} written to ${settings.configFile}` : ''}`)
    return {
      accessKeyId, config, configFile: settings.configFile, profile: settings.profile, source: source.name,
    }
  }
}
