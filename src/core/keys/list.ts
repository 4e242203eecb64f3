/**
 * `keys list`: every profile with long-term keys: the credentials file's own, and each profile
 * whose config section names a source (mfa_creds_source), asked for its key. The key id is shown
 * masked (AKIA...WXYZ); a secret never.
 */
import type {KeySource, LongTermKeys} from '../refresh/ports.js'

import {fileKeys, maskKeyId} from '../aws/file-keys.js'
import {
  KeySourceChoice, keySourceChoice, profileMap, stringValue,
} from '../aws/profiles.js'
import {readSharedFile} from '../aws/shared-file.js'
import {MfaCredsError} from '../errors.js'
import {KeysSettings} from './settings.js'

export interface KeyEntry {
  /** Masked: AKIA...WXYZ. */
  accessKeyId?: string
  /** When the key was made, where the source keeps it (RFC 3339). */
  created?: string
  /** What the source said instead of a key. */
  error?: string
  profile: string
  source: string
  /** The config names another source: these keys in the file are not the ones mfa-creds uses. */
  unused?: boolean
}

/** Keys a source answered, with the time it says they were made when it keeps one. */
export type KeptKeys = LongTermKeys & {created?: string}

export async function listKeys(settings: Pick<KeysSettings, 'configFile' | 'credentialsFile'>, resolve: (choice: KeySourceChoice) => Promise<KeySource>): Promise<KeyEntry[]> {
  const [config, credentials] = await Promise.all([readSharedFile(settings.configFile, 'config file'), readSharedFile(settings.credentialsFile, 'credentials file')])
  const profiles = profileMap(config.view)
  const entries: KeyEntry[] = []
  for (const {name} of credentials.doc.sections) {
    const keys = fileKeys(credentials, name)
    if (!keys) continue
    const configured = stringValue(profiles.get(name), 'mfa_creds_source')
    entries.push({
      accessKeyId: maskKeyId(keys.accessKeyId), profile: name, source: 'credentials-file', ...(configured && configured !== 'credentials-file' ? {unused: true} : {}),
    })
  }

  for (const [name, profile] of profiles) {
    const named = stringValue(profile, 'mfa_creds_source')
    if (!named || named === 'credentials-file' || stringValue(profile, 'role_arn')) continue
    const entry: KeyEntry = {profile: name, source: named}
    try {
      const keys: KeptKeys = await (await resolve(keySourceChoice({}, profile))).get(name)
      entry.accessKeyId = maskKeyId(keys.accessKeyId)
      if (typeof keys.created === 'string') entry.created = keys.created
    } catch (error) {
      if (!(error instanceof MfaCredsError)) throw error
      entry.error = error.message
    }

    entries.push(entry)
  }

  return entries.sort((a, b) => a.profile.localeCompare(b.profile) || a.source.localeCompare(b.source))
}
