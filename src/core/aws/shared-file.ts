/**
 * The AWS shared files (credentials, config) as botocore reads them, and the one way they are
 * written. Read: parsed from the bytes read through FileTarget (files/target.ts). For a write,
 * read whole: what a locked read must still hold, waiting out a program that rewrites the file
 * in place (files/in-place.ts). Written: updateSharedFile, the one locked read-decide-replace that
 * every writer of these files goes through (the credentials-file writer, setup).
 */
import {createHash} from 'node:crypto'

import {ConfigError, LockTimeoutError} from '../errors.js'
import {
  commitTempFile, discardTempFile, removeStaleTempFiles, replaceFile, writeTempFile,
} from '../files/atomic.js'
import {Observation, readUntilWhole} from '../files/in-place.js'
import {DEFAULT_LOCK_TIMEOUT, LockOptions, withProtocolLock} from '../files/lock.js'
import {
  checkNotReadOnly, FileTarget, RawFile, sameRawFile,
} from '../files/target.js'
import {
  decodeIniText, IniSyntaxError, parseIni, profileView,
} from '../ini/parse.js'
import {IniFileSnapshot, snapshotOf} from '../ini/snapshot.js'
import {holdsLongTermKeys} from './profiles.js'

/** Parses what readRawFile read as botocore would, refusing (ConfigError) what botocore refuses. */
export function parseRawFile(raw: RawFile, what: string): IniFileSnapshot {
  const {exists, mode, owner, path: file} = raw
  try {
    const text = decodeIniText(raw.bytes)
    return snapshotOf({
      doc: parseIni(text), exists, mode, owner, path: file, text,
    })
  } catch (error) {
    if (error instanceof IniSyntaxError) {
      throw new ConfigError(
        `the ${what} ${file} cannot be read (${error.message}); botocore and the AWS CLI would refuse it too`,
        `fix ${file}${error.line > 0 ? ` at line ${error.line}` : ''}; nothing was changed`,
      )
    }

    throw error
  }
}

/**
 * Reads and parses an AWS shared file as botocore would; a missing file reads as empty. Through
 * FileTarget.read: run as root, a user's symlink (to root's own config, say) is refused before
 * anything is opened through it.
 */
export async function readSharedFile(file: string, what: string): Promise<IniFileSnapshot> {
  return parseRawFile(FileTarget.read(file, what), what)
}

/**
 * Which sections of the credentials file botocore sees static keys in (either key), for telling a
 * role chain's hops from its end (roleChain). Read only when a source_profile is itself a role;
 * a file that cannot be read now shows none: the refresh reads it again, and says what is wrong.
 */
export async function staticKeysIn(credentialsFile: string, needed: boolean): Promise<(profile: string) => boolean> {
  if (!needed) return () => false
  const snapshot = await readSharedFile(credentialsFile, 'credentials file').catch(() => {})
  return profile => {
    const section = snapshot && profileView(snapshot.doc, profile)
    return section !== undefined && (section.aws_access_key_id !== undefined || section.aws_secret_access_key !== undefined)
  }
}

const CUT_LINE = 'it ends in the middle of a line'

/** What a file read for a write must still hold (see files/in-place.ts). */
export interface WholeCheck {
  /** The file as read before (under the lock, before the prompt): nothing of it but the target may be lost. */
  reference?: IniFileSnapshot
  /** A profile whose long-term keys must be there (when the reference had them, or with no reference). */
  sourceProfile?: string
  /** The section being written: what happens to it is ours to decide. */
  target?: string
}

/** Whether the source profile lacks its long-term keys in `current` (and had them in the reference, if there is one). */
function lostSource(current: IniFileSnapshot, {reference, sourceProfile}: WholeCheck): boolean {
  if (sourceProfile === undefined || holdsLongTermKeys(profileView(current.doc, sourceProfile))) return false
  return !reference || holdsLongTermKeys(profileView(reference.doc, sourceProfile))
}

/** What `current` lacks against `check`: a sentence, or undefined when it is whole. */
export function missingFrom(current: IniFileSnapshot, check: WholeCheck): string | undefined {
  const {reference, sourceProfile, target} = check
  if (lostSource(current, check)) return `[${sourceProfile}] has lost its long-term keys`

  if (!reference || current.text === reference.text) return undefined
  // A prefix cut by a writer mid-write mostly ends mid-line, even with every key still there.
  if (/[\n\r]$/.test(reference.text) && current.text !== '' && !/[\n\r]$/.test(current.text)) return CUT_LINE
  const now = new Map(current.doc.sections.map(section => [section.name, section]))
  for (const section of reference.doc.sections) {
    if (section.name === target) continue
    const found = now.get(section.name)
    if (!found) return `[${section.name}] is gone`
    const names = new Set(found.options.map(option => option.name))
    const lost = section.options.find(option => !names.has(option.name))
    if (lost) return `${lost.name} of [${section.name}] is gone`
  }

  const defaults = new Set(current.doc.defaults.map(option => option.name))
  const lost = reference.doc.defaults.find(option => !defaults.has(option.name))
  return lost && `${lost.name} of [DEFAULT] is gone`
}

interface Reading {
  error?: ConfigError
  raw: RawFile
  snapshot?: IniFileSnapshot
  /** The source profile's keys are what is missing. */
  sourceLost?: boolean
}

function observe(raw: RawFile, what: string, check: WholeCheck): Observation<Reading> {
  // What tells two reads apart, made only when the read is not whole (it is then compared).
  const key = () => (raw.id ? `${raw.id.ino}:${raw.id.size}:${raw.id.mtimeMs}:${createHash('sha256').update(raw.bytes).digest('hex')}` : 'missing')
  let snapshot: IniFileSnapshot
  try {
    snapshot = parseRawFile(raw, what)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return {
      id: raw.id, key: key(), problem: error.message, value: {error, raw},
    }
  }

  const problem = missingFrom(snapshot, check)
  // Refused if it stays so, when they were there before; with nothing to compare, the caller says what is missing.
  const sourceLost = check.reference !== undefined && lostSource(snapshot, check)
  return {
    id: raw.id, key: problem === undefined ? '' : key(), problem, settles: problem !== CUT_LINE, value: {raw, snapshot, sourceLost},
  }
}

export interface WholeOptions {
  signal?: AbortSignal
  /** Give up waiting for a writer that rewrites the file in place after this long. */
  timeoutMs: number
}

/**
 * Reads the file (with `read`) for a decision under the lock, waiting out a writer that ignores
 * the lock and is rewriting it in place (files/in-place.ts): what it returns holds everything
 * `check` asks for, or lost only what its owner removed and left so. Refused: a file that stays
 * unreadable or without the source profile's keys (ConfigError), or that is still being
 * rewritten at the end of the wait (LockTimeoutError).
 */
export async function readWhole(read: () => RawFile, what: string, check: WholeCheck, options: WholeOptions): Promise<{raw: RawFile; snapshot: IniFileSnapshot}> {
  const outcome = await readUntilWhole(() => observe(read(), what, check), {deadline: performance.now() + options.timeoutMs, signal: options.signal})
  const {problem, value} = outcome.observation
  const file = value.raw.path
  if (outcome.type === 'timeout') {
    const who = outcome.writers.length > 0 ? ` (${outcome.writers.map(w => `${w.command ?? 'process'}, pid ${w.pid}`).join('; ')})` : ''
    throw new LockTimeoutError(
      `the ${what} ${file} is being rewritten in place by another program${who} that does not take the lock, and after ${Math.round(options.timeoutMs / 1000)} s it is still not whole: ${problem}; nothing was written`,
      'let that program finish (run such programs as: mfa-creds lock -- COMMAND), then try again',
    )
  }

  if (value.error) throw value.error
  if (value.sourceLost) {
    throw new ConfigError(
      `${problem} in the ${what} ${file} since it was read: another program is rewriting the file, or removed them; nothing was written`,
      `check ${file}; if the keys moved, point --profile at the profile that holds them`,
    )
  }

  return {raw: value.raw, snapshot: value.snapshot!}
}

/** What a write makes of the file as read: its result, and the new text (none: leave the file as it is). */
export interface Decision<R> {
  result: R
  text?: string
}

export interface UpdateOptions extends Omit<LockOptions, 'timeoutMs'> {
  /** What the file must still hold when it is read for the decision (see readWhole). */
  check: WholeCheck
  /** The credentials file: its protocol lock guards every AWS shared file (README, "The file protocol"). */
  credentialsFile: string
  /** Wait for the lock at most this long (LockTimeoutError); for ever when undefined. */
  lockTimeoutMs?: number
  what: string
}

interface Prepared<R> {
  raw: RawFile
  result: R
  /** The temp file holding the new text, until it is renamed or dropped. */
  temp?: string
}

/**
 * The one locked read-decide-replace of an AWS shared file, for every writer of one. The lock is
 * held as briefly as possible, because every other writer of the file waits for it: before it is
 * taken, the file is read, decided on (`decide`), and the new text written to a temp file (fsync
 * included). Under the lock the file is read again: if it is the very same (bytes, mode, owner),
 * the decision stands and only the rename remains. Otherwise the prepared file is dropped, and
 * the file is read whole (readWhole), decided on and replaced again under the lock. A read-only
 * file is refused (checkNotReadOnly); what `decide` throws is thrown from the locked attempt.
 */
export async function updateSharedFile<R>(file: string, options: UpdateOptions, decide: (current: IniFileSnapshot) => Decision<R>): Promise<R> {
  const {check, credentialsFile, lockTimeoutMs, signal, what} = options
  const target = FileTarget.open(file, what)
  let prepared: Prepared<R> | undefined
  try {
    prepared = prepare(target, what, check, decide)
    const result = await withProtocolLock(credentialsFile, {...options, timeoutMs: lockTimeoutMs}, async (): Promise<R> => {
      removeStaleTempFiles(target)
      // The very file the prepared write was made from, and that was whole: only the rename is left.
      if (prepared && sameRawFile(prepared.raw, target.read(what))) {
        if (prepared.temp) {
          const {temp} = prepared
          prepared.temp = undefined
          await commitTempFile(target, temp)
        }

        return prepared.result
      }

      const {raw, snapshot} = await readWhole(() => target.read(what), what, check, {
        signal, timeoutMs: lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000,
      })
      checkNotReadOnly(raw)
      const decided = decide(snapshot)
      if (decided.text !== undefined) await replaceFile(target, decided.text, raw.mode, raw.owner)
      return decided.result
    })
    // Outside the lock: the directory fsync only makes the rename durable (see commitTempFile).
    target.dir.sync()
    return result
  } finally {
    if (prepared?.temp) discardTempFile(target, prepared.temp)
    target.close()
  }
}

/**
 * The write decided and made ready without the lock. Undefined when anything goes wrong, or the
 * file as read lacks something it should hold (a tool that rewrites in place may be half-way
 * through): the write is then all made under the lock, and any error is reported from there.
 */
function prepare<R>(target: FileTarget, what: string, check: WholeCheck, decide: (current: IniFileSnapshot) => Decision<R>): Prepared<R> | undefined {
  try {
    const raw = target.read(what)
    const snapshot = parseRawFile(raw, what)
    if (missingFrom(snapshot, check)) return undefined
    checkNotReadOnly(raw)
    const {result, text} = decide(snapshot)
    return {raw, result, temp: text === undefined ? undefined : writeTempFile(target, text, raw.mode, raw.owner)}
  } catch {
    return undefined
  }
}
