/**
 * Long-term keys kept in the credentials file itself (the credentials-file source): set into
 * `[PROFILE]` and removed from it, format-preserving, through the one locked read-decide-replace
 * (updateSharedFile). A section botocore takes other credentials from (a role, SSO, a process),
 * or one that holds session credentials, is refused: keys there would be ignored, or would
 * destroy a session someone keeps.
 */
import type {LongTermKeys} from './sts.js'

import {ConfigError, UsageError} from '../errors.js'
import {DEFAULT_LOCK_TIMEOUT} from '../files/lock.js'
import {checkSectionName, editCredentials, removeSectionKeys} from '../ini/edit.js'
import {findSection, IniValue, sectionView} from '../ini/parse.js'
import {IniFileSnapshot} from '../ini/snapshot.js'
import {OTHER_CREDENTIAL_SETTINGS, sessionTokenOf} from './profiles.js'
import {readSharedFile, updateSharedFile} from './shared-file.js'

export const KEY_NAMES = ['aws_access_key_id', 'aws_secret_access_key'] as const
const WHAT = 'credentials file'

export interface FileKeysOptions {
  /** Wait for the lock at most this long (LockTimeoutError); default 120 s. */
  lockTimeoutMs?: number
  signal?: AbortSignal
}

function ownView(snapshot: IniFileSnapshot, profile: string): Record<string, IniValue> | undefined {
  const section = findSection(snapshot.doc, profile)
  return section && sectionView(section, [])
}

/** Refuses a section whose keys are not an IAM user's long-term keys to keep: another kind of credentials, or a session. */
export function checkKeysSection(snapshot: IniFileSnapshot, profile: string): void {
  const problem = checkSectionName(profile)
  if (problem) throw new UsageError(`cannot keep keys for profile ${JSON.stringify(profile)}: ${problem}`, 'choose another profile name with --profile')
  const file = snapshot.path
  const inherited = sectionView(findSection(snapshot.doc, profile) ?? {options: []}, snapshot.doc.defaults)
  const setting = OTHER_CREDENTIAL_SETTINGS.find(key => typeof inherited[key] === 'string' && inherited[key] !== '')
  if (setting) {
    throw new ConfigError(
      `[${profile}] in ${file} has ${setting}: botocore takes that profile's credentials from there, so long-term keys in it would not be used`,
      'keep the keys in a profile of their own (a role\'s source_profile); nothing was changed',
    )
  }

  const own = ownView(snapshot, profile)
  if (own && sessionTokenOf(own) !== undefined) {
    throw new ConfigError(
      `[${profile}] in ${file} holds session credentials (it has aws_session_token), not an IAM user's long-term keys`,
      'choose the profile that holds (or is to hold) the long-term keys with --profile; nothing was changed',
    )
  }
}

/** The long-term keys [profile] holds in the file, if it holds any. */
export function fileKeys(snapshot: IniFileSnapshot, profile: string): LongTermKeys | undefined {
  const own = ownView(snapshot, profile)
  const accessKeyId = own?.aws_access_key_id
  const secretAccessKey = own?.aws_secret_access_key
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') return undefined
  return sessionTokenOf(own!) === undefined ? {accessKeyId, secretAccessKey} : undefined
}

function update<R>(file: string, at: {options: FileKeysOptions; profile: string; reference: IniFileSnapshot}, decide: (current: IniFileSnapshot) => {result: R; text?: string}): Promise<R> {
  const {options, profile, reference} = at
  return updateSharedFile(file, {
    check: {reference, target: profile},
    credentialsFile: file,
    lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000,
    signal: options.signal,
    what: WHAT,
  }, decide)
}

/** Sets aws_access_key_id and aws_secret_access_key in [profile] (a new section at the end when there is none); 'unchanged' when they are there already. */
export async function storeFileKeys(file: string, profile: string, keys: LongTermKeys, options: FileKeysOptions = {}): Promise<'stored' | 'unchanged'> {
  const reference = await readSharedFile(file, WHAT)
  checkKeysSection(reference, profile)
  return update(file, {options, profile, reference}, current => {
    checkKeysSection(current, profile)
    const now = fileKeys(current, profile)
    if (now?.accessKeyId === keys.accessKeyId && now.secretAccessKey === keys.secretAccessKey) return {result: 'unchanged'}
    return {result: 'stored', text: editCredentials(current, profile, [[KEY_NAMES[0], keys.accessKeyId], [KEY_NAMES[1], keys.secretAccessKey]])}
  })
}

/**
 * Removes the two keys from [profile] (the section goes when nothing else is left in it);
 * 'absent' when it holds none. With `only`: removed only while they are still those keys (a
 * move: keys someone replaced meanwhile are not the ones moved, and stay).
 */
export async function removeFileKeys(file: string, profile: string, options: FileKeysOptions & {only?: LongTermKeys} = {}): Promise<'absent' | 'removed'> {
  const reference = await readSharedFile(file, WHAT)
  checkKeysSection(reference, profile)
  return update(file, {options, profile, reference}, current => {
    checkKeysSection(current, profile)
    const {only} = options
    const now = fileKeys(current, profile)
    if (only && now && (now.accessKeyId !== only.accessKeyId || now.secretAccessKey !== only.secretAccessKey)) {
      throw new ConfigError(
        `the keys in [${profile}] of ${file} changed while they were being moved (now ${maskKeyId(now.accessKeyId)}); they were left there`,
        'check which key is the right one, then run the command again',
      )
    }

    const text = removeSectionKeys(current, profile, KEY_NAMES, WHAT)
    return text === undefined ? {result: 'absent'} : {result: 'removed', text}
  })
}

/** An access key id as it may be shown: its first and last 4 characters (AKIA...WXYZ). */
export function maskKeyId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 4)}...${id.slice(-4)}` : '****'
}
