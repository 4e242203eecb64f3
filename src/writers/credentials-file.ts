/**
 * The built-in writer: `[TARGET]` of the shared credentials file, through the core's one locked
 * read-decide-replace (updateSharedFile in core/aws/shared-file.ts), keeping a newer refresh made
 * by someone else. What is decided is here: the target is not a section that holds long-term keys
 * or credentials of another kind, and the new keys go in with the format-preserving editor.
 */
import {unknownOptions} from '@mfa-creds/sdk'

import type {HostWriterSpec} from '../extensions/writer.js'

import {holdsLongTermKeys, holdsSession, OTHER_CREDENTIAL_SETTINGS} from '../core/aws/profiles.js'
import {readSharedFile, updateSharedFile} from '../core/aws/shared-file.js'
import {ConfigError} from '../core/errors.js'
import {describeHolders} from '../core/files/lock.js'
import {checkWritable} from '../core/files/target.js'
import {editCredentials, SectionValues} from '../core/ini/edit.js'
import {
  findSection, IniValue, profileView, sectionView,
} from '../core/ini/parse.js'
import {IniFileSnapshot} from '../core/ini/snapshot.js'
import {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from '../core/refresh/ports.js'
import {formatExpiration, parseExpiration} from '../core/time.js'

const WHAT = 'credentials file'

/**
 * The target must never be a section that holds long-term keys (an access key and no session
 * token): writing there would destroy some profile's keys for good.
 */
function checkTargetSection(snapshot: IniFileSnapshot, targetProfile: string): void {
  const file = snapshot.path
  const section = findSection(snapshot.doc, targetProfile)
  // botocore merges a credentials-file section into the profile, [DEFAULT] included: a role
  // there wins over keys, even when the target section does not exist yet.
  const inherited = sectionView(section ?? {options: []}, snapshot.doc.defaults)
  const setting = OTHER_CREDENTIAL_SETTINGS.find(key => typeof inherited[key] === 'string' && inherited[key] !== '')
  if (setting) {
    throw new ConfigError(
      `[${targetProfile}] in ${file} has ${setting}: botocore takes that profile's credentials from there, so session credentials written into it would not be used`,
      'choose another --target-profile (the default is PROFILE-mfa); nothing was changed',
    )
  }

  // Its own keys only: keys inherited from [DEFAULT] are not in the section, and are not overwritten.
  if (!section || !holdsLongTermKeys(sectionView(section, []))) return
  throw new ConfigError(
    `[${targetProfile}] in ${file} holds long-term keys (an access key and no session token): mfa-creds will not overwrite them with session credentials`,
    'choose another --target-profile (the default is PROFILE-mfa), or move those keys to a profile of their own; nothing was changed',
  )
}

export function targetState(snapshot: IniFileSnapshot, targetProfile: string): TargetState {
  checkTargetSection(snapshot, targetProfile)
  return sectionState(profileView(snapshot.doc, targetProfile))
}

/**
 * The target as botocore reads it: when it expires (never, for a section that lacks its key,
 * secret or token: those cannot be used, so it is due whatever its expiration says), and its
 * whole view as the fingerprint (it changes when another writer changes the target).
 */
function sectionState(target: Record<string, IniValue> | undefined): TargetState {
  const raw = target?.expiration
  return {
    expiration: holdsSession(target) ? parseExpiration(typeof raw === 'string' ? raw : undefined) : undefined,
    fingerprint: target && JSON.stringify(target),
  }
}

/** What a write does to the file as read: keep a newer refresh made by someone else, or the new text. */
function decide(current: IniFileSnapshot, request: WriteRequest): {result: WriteResult; text?: string} {
  const {credentials: c, targetProfile} = request
  checkTargetSection(current, targetProfile)
  const target = profileView(current.doc, targetProfile)
  const now = sectionState(target)
  if (now.fingerprint !== request.baseline && now.expiration && now.expiration.getTime() > c.expiration.getTime()) {
    return {result: {action: 'kept-newer', expiration: now.expiration}}
  }

  const values: SectionValues = [
    ['aws_access_key_id', c.accessKeyId],
    ['aws_secret_access_key', c.secretAccessKey],
    ['aws_session_token', c.sessionToken],
    ['expiration', formatExpiration(c.expiration)],
  ]
  // botocore prefers the legacy aws_security_token over aws_session_token: where an old
  // tool left one in the target, keep it in step so the new token is the one used.
  if (target?.aws_security_token !== undefined) values.push(['aws_security_token', c.sessionToken])
  return {result: {action: 'written', expiration: c.expiration}, text: editCredentials(current, targetProfile, values)}
}

/**
 * Writes `request` into `file`: one locked read-decide-replace (updateSharedFile: prepared
 * outside the lock, committed or decided again under it). `reference` is the file as read before
 * the prompt: what the write must not lose.
 */
export function writeCredentialsFile(file: string, request: WriteRequest, reference: IniFileSnapshot | undefined): Promise<WriteResult> {
  return updateSharedFile(file, {
    check: {reference, sourceProfile: request.sourceProfile, target: request.targetProfile},
    credentialsFile: file,
    lockTimeoutMs: request.lockTimeoutMs,
    onHeld: request.onLockHeld,
    onWait: request.onLockWait && (holders => request.onLockWait!(describeHolders(holders))),
    signal: request.signal,
    what: WHAT,
  }, current => decide(current, request))
}

/** The built-in `credentials-file`, as plugins write theirs (announced by hooks/writer-credentials-file.ts). */
export const credentialsFileWriter: HostWriterSpec = {
  check: (_target, _options, context) => checkWritable(context.credentialsFile),
  description: 'the shared credentials file, under the lock other tools share (the default)',
  name: 'credentials-file',
  async read(targetProfile, _options, context) {
    return targetState(context.credentials ?? (await readSharedFile(context.credentialsFile, WHAT)), targetProfile)
  },
  validateOptions: options => unknownOptions(options, []),
  write: (request, _options, context) => writeCredentialsFile(context.credentialsFile, request, context.credentials),
}

/** The built-in writer on its own, for a caller that needs no host (the role session's write). */
export class CredentialsFileWriter implements CredentialWriter {
  readonly name = 'credentials-file'
  /** The file as last read for each target before the prompt: what a write must not lose. */
  private readonly references = new Map<string, IniFileSnapshot>()

  constructor(readonly file: string) {}

  async check(): Promise<void> {
    await checkWritable(this.file)
  }

  async read(targetProfile: string, credentials: IniFileSnapshot): Promise<TargetState> {
    const state = targetState(credentials, targetProfile)
    this.references.set(targetProfile, credentials)
    return state
  }

  write(request: WriteRequest): Promise<WriteResult> {
    return writeCredentialsFile(this.file, request, this.references.get(request.targetProfile))
  }
}
