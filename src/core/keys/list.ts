/**
 * `keys list`: every profile with long-term keys: the credentials file's own, and each profile
 * whose config section names a source (mfa_creds_source), asked for its key. The key id is shown
 * masked (AKIA...WXYZ); a secret never.
 */
import type {KeySource, LongTermKeys} from '../refresh/ports.js'

import {resolveEndpoint, resolveSts} from '../aws/endpoints.js'
import {fileKeys, maskKeyId} from '../aws/file-keys.js'
import {iamUserName, listAccessKeys} from '../aws/iam.js'
import {Env} from '../aws/paths.js'
import {
  configSectionName, KeySourceChoice, keySourceChoice, Profile, profileMap, stringValue,
} from '../aws/profiles.js'
import {readSessionCredentials} from '../aws/session-credentials.js'
import {readSharedFile} from '../aws/shared-file.js'
import {getCallerIdentity, Signer} from '../aws/sts.js'
import {MfaCredsError} from '../errors.js'
import {IniView} from '../ini/parse.js'
import {KeysSettings} from './settings.js'

export interface KeyEntry {
  /** Masked: AKIA...WXYZ. */
  accessKeyId?: string
  /** When the key was made, where the source keeps it (RFC 3339). */
  created?: string
  /** What the source said instead of a key. */
  error?: string
  /** With --iam: why IAM could not say when the key was made. */
  iamError?: string
  profile: string
  source: string
  /** The config names another source: these keys in the file are not the ones mfa-creds uses. */
  unused?: boolean
}

/** Keys a source answered, with the time it says they were made when it keeps one. */
export type KeptKeys = LongTermKeys

/**
 * When IAM says the key was made (ListAccessKeys for the user the key belongs to, signed with the
 * profile's MFA session when [PROFILE-mfa] holds a fresh one, else with the key itself).
 */
async function iamCreated(at: {config: IniView; credentialsFile: string; env: Env; profile: string}, keys: LongTermKeys): Promise<string | undefined> {
  const {config, credentialsFile, env, profile} = at
  const sections = config as Record<string, Profile>
  const profileConfig = profileMap(config).get(profile)
  const where = `[${configSectionName(profile)}] of the config file`
  const sts = resolveSts(env, profileConfig, sections, where)
  const call = {credentialsProfile: profile, region: sts.region}
  const {arn} = await getCallerIdentity({
    ...call, credentials: keys, endpoint: sts.endpoint, viaSdk: sts.viaSdk,
  })
  const userName = iamUserName(arn, profile)
  let signer: Signer = keys
  try {
    signer = await readSessionCredentials(credentialsFile, `${profile}-mfa`, profile)
  } catch {}

  const listed = await listAccessKeys({...call, credentials: signer, endpoint: resolveEndpoint(env, profileConfig, sections, 'iam')}, userName ?? '')
  return listed.find(k => k.accessKeyId === keys.accessKeyId)?.created?.toISOString()
}

export interface ListOptions {
  env?: Env
  /** Ask IAM when each key was made, where the source does not say. */
  iam?: boolean
}

export async function listKeys(settings: Pick<KeysSettings, 'configFile' | 'credentialsFile'>, resolve: (choice: KeySourceChoice) => Promise<KeySource>, options: ListOptions = {}): Promise<KeyEntry[]> {
  const [config, credentials] = await Promise.all([readSharedFile(settings.configFile, 'config file'), readSharedFile(settings.credentialsFile, 'credentials file')])
  const profiles = profileMap(config.view)
  const entries: KeyEntry[] = []
  const found = new Map<KeyEntry, LongTermKeys>()
  for (const {name} of credentials.doc.sections) {
    const keys = fileKeys(credentials, name)
    if (!keys) continue
    const configured = stringValue(profiles.get(name), 'mfa_creds_source')
    const entry: KeyEntry = {
      accessKeyId: maskKeyId(keys.accessKeyId), profile: name, source: 'credentials-file', ...(configured && configured !== 'credentials-file' ? {unused: true} : {}),
    }
    entries.push(entry)
    found.set(entry, keys)
  }

  for (const [name, profile] of profiles) {
    const named = stringValue(profile, 'mfa_creds_source')
    if (!named || named === 'credentials-file' || stringValue(profile, 'role_arn')) continue
    const entry: KeyEntry = {profile: name, source: named}
    try {
      const keys: KeptKeys = await (await resolve(keySourceChoice({}, profile))).get(name)
      entry.accessKeyId = maskKeyId(keys.accessKeyId)
      if (typeof keys.created === 'string') entry.created = keys.created
      found.set(entry, keys)
    } catch (error) {
      if (!(error instanceof MfaCredsError)) throw error
      entry.error = error.message
    }

    entries.push(entry)
  }

  if (options.iam) {
    for (const [entry, keys] of found) {
      if (entry.created) continue
      try {
        entry.created = await iamCreated({
          config: config.view, credentialsFile: settings.credentialsFile, env: options.env ?? process.env, profile: entry.profile,
        }, keys)
      } catch (error) {
        if (!(error instanceof MfaCredsError)) throw error
        entry.iamError = error.message
      }
    }
  }

  return entries.sort((a, b) => a.profile.localeCompare(b.profile) || a.source.localeCompare(b.source))
}
