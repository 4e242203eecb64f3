/**
 * The built-in writer: `[TARGET]` of the shared credentials file, under the protocol lock,
 * re-reading the file inside the lock and keeping a newer refresh made by someone else.
 */
import {
  checkWritable,
  editCredentials,
  IniFileSnapshot,
  readIniFile,
  removeStaleTempFiles,
  replaceFile,
  resolveWritePath,
  sectionFingerprint,
  SectionValues,
} from '../core/credentials-file.js'
import {profileView} from '../core/ini.js'
import {describeHolders, withProtocolLock} from '../core/lock.js'
import {formatExpiration, parseExpiration} from '../core/schedule.js'
import {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from './writer.js'

export function targetState(snapshot: IniFileSnapshot, targetProfile: string): TargetState {
  const section = profileView(snapshot.doc, targetProfile)
  const raw = section?.expiration
  return {
    expiration: parseExpiration(typeof raw === 'string' ? raw : undefined),
    fingerprint: sectionFingerprint(snapshot, targetProfile),
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
    const {credentials: c, targetProfile} = request
    const onWait = request.onLockWait ? (holders: Parameters<typeof describeHolders>[0]) => request.onLockWait!(describeHolders(holders)) : undefined
    let syncDirectory: (() => Promise<void>) | undefined
    const result = await withProtocolLock(this.file, {
      onHeld: request.onLockHeld, onWait, signal: request.signal, timeoutMs: request.lockTimeoutMs,
    }, async (): Promise<WriteResult> => {
      const realPath = await resolveWritePath(this.file)
      await removeStaleTempFiles(realPath)
      const current = await readIniFile(this.file, 'credentials file')
      const now = targetState(current, targetProfile)
      if (now.fingerprint !== request.baseline && now.expiration && now.expiration.getTime() > c.expiration.getTime()) {
        return {action: 'kept-newer', expiration: now.expiration}
      }

      const values: SectionValues = [
        ['aws_access_key_id', c.accessKeyId],
        ['aws_secret_access_key', c.secretAccessKey],
        ['aws_session_token', c.sessionToken],
        ['expiration', formatExpiration(c.expiration)],
      ]
      // botocore prefers the legacy aws_security_token over aws_session_token: where an old
      // tool left one in the target, keep it in step so the new token is the one used.
      if (profileView(current.doc, targetProfile)?.aws_security_token !== undefined) values.push(['aws_security_token', c.sessionToken])
      syncDirectory = await replaceFile(realPath, editCredentials(current, targetProfile, values), current.mode, current.owner)
      return {action: 'written', expiration: c.expiration}
    })
    // Outside the lock: the directory fsync only makes the rename durable (see replaceFile).
    await syncDirectory?.()
    return result
  }
}
