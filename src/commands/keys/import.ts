import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {keysFlags} from '../../cli/flags.js'
import {resolveKeySource} from '../../cli/ports.js'
import {importKeys, ImportStep} from '../../core/keys/import.js'
import {resolveKeysSettings} from '../../core/keys/settings.js'

const SAID: Record<ImportStep, string> = {
  configured: 'the config points at the source',
  read: 'read the key from the credentials file',
  removed: 'removed the key from the credentials file',
  stored: 'the source holds the key',
  verified: 'read the key back from the source: the same',
}

export interface KeysImportJson {
  accessKeyId: string
  action: 'already' | 'imported'
  profile: string
  source: string
}

export default class KeysImport extends BaseCommand {
  static override description = `Move a profile's long-term keys from the credentials file into a credential source.

Reads [PROFILE]'s keys from the credentials file, stores them in the source, reads them back from it and compares, writes mfa_creds_source = NAME into the profile's config section, and only then removes them from the credentials file. A failure at any step (or a kill) leaves them in the file; run the command again to finish.`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -p work --source keyring', description: 'Move the keys of [work] into the OS keyring'},
  ]
  static override flags = {
    ...keysFlags,
    force: Flags.boolean({description: 'Replace another key the source already holds for the profile with the file\'s.'}),
    source: Flags.string({description: 'The source to move the keys into (one that keeps keys, see mfa-creds providers).', helpValue: 'NAME', required: true}),
  }

  public async run(): Promise<KeysImportJson> {
    const {flags} = await this.parse(KeysImport)
    const settings = await resolveKeysSettings({...flags, lockTimeout: flags['lock-timeout']})
    const source = await resolveKeySource(this.config, settings)
    const {accessKeyId, action} = await this.withShutdown(signal => importKeys(settings, source, {
      force: flags.force, onStep: step => this.note(`${settings.profile}: ${SAID[step]}`), signal,
    }))
    this.log(action === 'imported'
      ? `${accessKeyId} of ${settings.profile} moved from ${settings.credentialsFile} into ${source.name}`
      : `${accessKeyId} of ${settings.profile} is in ${source.name} already, and not in the credentials file; nothing to do`)
    return {
      accessKeyId, action, profile: settings.profile, source: source.name,
    }
  }
}
