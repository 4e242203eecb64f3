import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {resolveKeySource} from '../../cli/ports.js'
import {configFilePath, credentialsFilePath} from '../../core/aws/paths.js'
import {KeyEntry, listKeys} from '../../core/keys/list.js'

export default class KeysList extends BaseCommand {
  static override description = `List the profiles that have long-term keys, and where each is kept.

The credentials file's own (sections with an access key and no session token), and every profile whose config section names a source (mfa_creds_source), asked for its key. The key id is shown masked (AKIA...WXYZ), with its age where the source keeps when it was made; a secret never.`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'A table: profile, source, key, age'},
    {command: '<%= config.bin %> <%= command.id %> --iam', description: 'With the age IAM gives each key (ListAccessKeys)'},
    {command: '<%= config.bin %> <%= command.id %> --json', description: 'For scripts'},
  ]
  static override flags = {
    iam: Flags.boolean({description: 'Ask IAM when each key was made (ListAccessKeys, signed with the profile\'s MFA session in [PROFILE-mfa] when it is fresh, else with the key), where the source does not keep it.'}),
  }

  public async run(): Promise<{keys: KeyEntry[]}> {
    const {flags} = await this.parse(KeysList)
    const settings = {configFile: configFilePath(), credentialsFile: credentialsFilePath()}
    const keys = await listKeys(settings, choice => resolveKeySource(this.config, {...settings, ...choice}), {iam: flags.iam})
    if (keys.length === 0) this.log(`no profile has long-term keys (${settings.credentialsFile}, ${settings.configFile})`)
    const now = Date.now()
    for (const k of keys) {
      const age = k.created ? ` (${Math.max(0, Math.floor((now - Date.parse(k.created)) / 86_400_000))} days old)` : ''
      const what = k.error ? `error: ${k.error}` : `${k.accessKeyId}${age}${k.unused ? ' (not used: the config names another source)' : ''}${k.iamError ? ` (IAM: ${k.iamError})` : ''}`
      this.log(`${k.profile}\t${k.source}\t${what}`)
    }

    return {keys}
  }
}
