/**
 * The built-in writer: `[TARGET]` of the shared credentials file, under the protocol lock,
 * re-reading the file inside the lock and keeping a newer refresh made by someone else.
 *
 * The lock is held as briefly as possible, because every other writer of the file waits for it.
 * Before taking it, the writer reads the file, decides, edits, and writes the new text to a temp
 * file (fsync included). Under the lock it reads the file again: if it is the very same (bytes,
 * mode, owner), the decision stands and only the rename remains. Otherwise the prepared file is
 * dropped and the write is decided and made again, under the lock, from what the file is now.
 */
import {unknownOptions} from '@mfa-creds/sdk'

import type {HostWriterSpec} from '../extensions/writer.js'

import {OTHER_CREDENTIAL_SETTINGS} from '../core/aws-config.js'
import {
  checkNotReadOnly,
  checkWritable,
  commitTempFile,
  discardTempFile,
  editCredentials,
  FileTarget,
  holdsLongTermKeys,
  IniFileSnapshot,
  missingFrom,
  parseRawFile,
  RawFile,
  readIniFile,
  readWhole,
  removeStaleTempFiles,
  replaceFile,
  sameRawFile,
  SectionValues,
  WholeCheck,
  writeTempFile,
} from '../core/credentials-file.js'
import {ConfigError} from '../core/errors.js'
import {
  findSection, IniValue, profileView, sectionView,
} from '../core/ini.js'
import {describeHolders, withProtocolLock} from '../core/lock.js'
import {formatExpiration, parseExpiration} from '../core/schedule.js'
import {DEFAULT_LOCK_TIMEOUT} from '../core/settings.js'
import {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from './writer.js'

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
  return stateOf(profileView(snapshot.doc, targetProfile))
}

/** The target as botocore reads it: when it expires, and its whole view as the fingerprint (it changes when another writer changes the target). */
function stateOf(target: Record<string, IniValue> | undefined): TargetState {
  const raw = target?.expiration
  return {
    expiration: parseExpiration(typeof raw === 'string' ? raw : undefined),
    fingerprint: target && JSON.stringify(target),
  }
}

/** What a write does to the file as read: keep a newer refresh made by someone else, or the new text. */
function decide(current: IniFileSnapshot, request: WriteRequest): {result: WriteResult; text?: string} {
  const {credentials: c, targetProfile} = request
  checkTargetSection(current, targetProfile)
  const target = profileView(current.doc, targetProfile)
  const now = stateOf(target)
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

interface Prepared {
  raw: RawFile
  result: WriteResult
  /** The temp file holding the new text, until it is renamed or dropped. */
  temp?: string
}

/**
 * The write decided and made ready without the lock. Undefined when anything goes wrong, or the
 * file as read lacks something the reference had (a tool that rewrites in place may be half-way
 * through): the write is then all made under the lock, and any error is reported from there.
 */
function prepare(target: FileTarget, request: WriteRequest, check: WholeCheck): Prepared | undefined {
  try {
    const raw = target.read(WHAT)
    const snapshot = parseRawFile(raw, WHAT)
    // Only a file that holds all it held before is prepared (see readWhole for the rest).
    if (missingFrom(snapshot, check)) return undefined
    checkNotReadOnly(raw)
    const {result, text} = decide(snapshot, request)
    return {raw, result, temp: text === undefined ? undefined : writeTempFile(target, text, raw.mode, raw.owner)}
  } catch {
    return undefined
  }
}

/**
 * Writes `request` into `file`: prepared outside the lock, committed (or decided again) under it.
 * `reference` is the file as read before the prompt: what the write must not lose.
 */
export async function writeCredentialsFile(file: string, request: WriteRequest, reference: IniFileSnapshot | undefined): Promise<WriteResult> {
  const onWait = request.onLockWait ? (holders: Parameters<typeof describeHolders>[0]) => request.onLockWait!(describeHolders(holders)) : undefined
  const target = FileTarget.open(file, WHAT)
  const check: WholeCheck = {reference, sourceProfile: request.sourceProfile, target: request.targetProfile}
  let prepared: Prepared | undefined
  try {
    prepared = prepare(target, request, check)
    const result = await withProtocolLock(file, {
      onHeld: request.onLockHeld, onWait, signal: request.signal, timeoutMs: request.lockTimeoutMs,
    }, async (): Promise<WriteResult> => {
      removeStaleTempFiles(target)
      // The very file the prepared write was made from, and that was whole: only the rename is left.
      if (prepared && sameRawFile(prepared.raw, target.read(WHAT))) {
        if (prepared.temp) {
          const {temp} = prepared
          prepared.temp = undefined
          await commitTempFile(target, temp)
        }

        return prepared.result
      }

      const {raw, snapshot} = await readWhole(() => target.read(WHAT), WHAT, check, {
        signal: request.signal, timeoutMs: request.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000,
      })
      checkNotReadOnly(raw)

      const {result: decided, text} = decide(snapshot, request)
      if (text !== undefined) await replaceFile(target, text, raw.mode, raw.owner)
      return decided
    })
    // Outside the lock: the directory fsync only makes the rename durable (see commitTempFile).
    target.dir.sync()
    return result
  } finally {
    if (prepared?.temp) discardTempFile(target, prepared.temp)
    target.close()
  }
}

/** The built-in `credentials-file`, as plugins write theirs (announced by hooks/credentials-file.ts). */
export const credentialsFileWriter: HostWriterSpec = {
  check: (_target, _options, context) => checkWritable(context.credentialsFile),
  description: 'the shared credentials file, under the lock other tools share (the default)',
  name: 'credentials-file',
  async read(targetProfile, _options, context) {
    return targetState(context.credentials ?? (await readIniFile(context.credentialsFile, WHAT)), targetProfile)
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
