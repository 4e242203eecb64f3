/**
 * `keys add`: an IAM user's access key, typed in, kept in the profile's source, and the config
 * pointed there. Everything that can be refused is refused before the keys are asked for
 * (checkAdd): a source that cannot keep keys, a section the file cannot keep keys in, keys there already.
 */
import type {KeySource, LongTermKeys} from '../refresh/ports.js'

import {checkKeysSection, fileKeys, maskKeyId} from '../aws/file-keys.js'
import {readSharedFile} from '../aws/shared-file.js'
import {ConfigError} from '../errors.js'
import {checkSourceOptions, saveKeySource} from './config.js'
import {
  checkKeysProfile, checkNewKeys, heldBy, KeysSettings, requireStores,
} from './settings.js'

/** Refuses what an add would refuse, before anyone types a key. */
export async function checkAdd(settings: KeysSettings, source: KeySource, force: boolean): Promise<void> {
  requireStores(source, 'choose a source that keeps keys with --source (credentials-file, or a plugin\'s: see mfa-creds providers)')

  checkSourceOptions(settings.keySourceOptions)
  await checkKeysProfile(settings)
  const file = await readSharedFile(settings.credentialsFile, 'credentials file')
  if (source.inCredentialsFile) checkKeysSection(file, settings.profile)
  const held = await heldBy(source, settings.profile, {credentials: file})
  if (held && !force) {
    throw new ConfigError(
      `${source.name} already holds a key for ${settings.profile} (${maskKeyId(held.accessKeyId)}); adding another would lose it`,
      `to replace it pass --force; to make a new key and retire that one: mfa-creds keys rotate -p ${settings.profile}`,
    )
  }

  const inFile = fileKeys(file, settings.profile)
  if (inFile && !source.inCredentialsFile) {
    throw new ConfigError(
      `[${settings.profile}] of ${settings.credentialsFile} holds a key (${maskKeyId(inFile.accessKeyId)}), which every AWS tool would still use`,
      `to move it into ${source.name}: mfa-creds keys import -p ${settings.profile} --source ${source.name}`,
    )
  }
}

export interface AddResult {
  accessKeyId: string
  config: 'unchanged' | 'written'
}

/** Checks the keys, stores them, then points the config at the source. */
export async function addKeys(settings: KeysSettings, source: KeySource, typed: LongTermKeys): Promise<AddResult> {
  const keys = checkNewKeys(typed)
  await source.store(settings.profile, keys)
  const config = await saveKeySource(settings, source.name, settings.keySourceOptions)
  return {accessKeyId: maskKeyId(keys.accessKeyId), config}
}
