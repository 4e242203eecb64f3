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
import {
  checkWritable,
  commitTempFile,
  discardTempFile,
  editCredentials,
  IniFileSnapshot,
  parseRawFile,
  RawFile,
  readRawFile,
  removeStaleTempFiles,
  replaceFile,
  resolveWritePath,
  sameRawFile,
  SectionValues,
  writeTempFile,
} from '../core/credentials-file.js'
import {IniValue, profileView} from '../core/ini.js'
import {describeHolders, withProtocolLock} from '../core/lock.js'
import {formatExpiration, parseExpiration} from '../core/schedule.js'
import {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from './writer.js'

const WHAT = 'credentials file'

export function targetState(snapshot: IniFileSnapshot, targetProfile: string): TargetState {
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
  realPath: string
  result: WriteResult
  /** The temp file holding the new text, until it is renamed or dropped. */
  temp?: string
}

/**
 * The write decided and made ready without the lock. Undefined when anything goes wrong (a file
 * half-written by a tool that rewrites in place, say): the write is then all made under the lock,
 * and any error is reported from there.
 */
function prepare(file: string, request: WriteRequest): Prepared | undefined {
  try {
    const realPath = resolveWritePath(file)
    const raw = readRawFile(file, WHAT)
    const {result, text} = decide(parseRawFile(raw, WHAT), request)
    return {
      raw, realPath, result, temp: text === undefined ? undefined : writeTempFile(realPath, text, raw.mode, raw.owner),
    }
  } catch {
    return undefined
  }
}

export class CredentialsFileWriter implements CredentialWriter {
  readonly name = 'credentials-file'

  constructor(readonly file: string) {}

  async check(): Promise<void> {
    await checkWritable(this.file)
  }

  async read(targetProfile: string, credentials: IniFileSnapshot): Promise<TargetState> {
    return targetState(credentials, targetProfile)
  }

  async write(request: WriteRequest): Promise<WriteResult> {
    const onWait = request.onLockWait ? (holders: Parameters<typeof describeHolders>[0]) => request.onLockWait!(describeHolders(holders)) : undefined
    const prepared = prepare(this.file, request)
    let syncDirectory: (() => Promise<void>) | undefined
    try {
      const result = await withProtocolLock(this.file, {
        onHeld: request.onLockHeld, onWait, signal: request.signal, timeoutMs: request.lockTimeoutMs,
      }, async (): Promise<WriteResult> => {
        const realPath = resolveWritePath(this.file)
        removeStaleTempFiles(realPath)
        const raw = readRawFile(this.file, WHAT)
        if (prepared && prepared.realPath === realPath && sameRawFile(prepared.raw, raw)) {
          if (prepared.temp) {
            const {temp} = prepared
            prepared.temp = undefined
            syncDirectory = await commitTempFile(temp, realPath)
          }

          return prepared.result
        }

        const {result: decided, text} = decide(parseRawFile(raw, WHAT), request)
        if (text !== undefined) syncDirectory = await replaceFile(realPath, text, raw.mode, raw.owner)
        return decided
      })
      // Outside the lock: the directory fsync only makes the rename durable (see commitTempFile).
      await syncDirectory?.()
      return result
    } finally {
      if (prepared?.temp) discardTempFile(prepared.temp)
    }
  }
}
