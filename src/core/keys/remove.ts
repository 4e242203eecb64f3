/** `keys remove`: forgets a profile's key in its source (the key itself stays active in IAM). */
import type {KeySource} from '../refresh/ports.js'

import {fileKeys, maskKeyId} from '../aws/file-keys.js'
import {readSharedFile} from '../aws/shared-file.js'
import {ConfigError} from '../errors.js'
import {KeysSettings, requireStores} from './settings.js'

/** The masked id of the key `remove` would remove: refused when the source holds none, or cannot remove. */
export async function keyToRemove(settings: KeysSettings, source: KeySource): Promise<string> {
  requireStores(source, 'remove the key where that source takes it from')
  const file = await readSharedFile(settings.credentialsFile, 'credentials file')
  const keys = source.inCredentialsFile ? fileKeys(file, settings.profile) : await source.get(settings.profile)
  if (!keys) throw new ConfigError(`[${settings.profile}] of ${settings.credentialsFile} holds no long-term keys`, 'see which profiles have keys: mfa-creds keys list')
  return maskKeyId(keys.accessKeyId)
}

export async function removeKeys(settings: KeysSettings, source: KeySource): Promise<void> {
  await source.remove(settings.profile)
}
