/**
 * The shared credentials file: a botocore-faithful reader (see ini.ts), a format-preserving editor
 * that touches only the target section, and an atomic replace (temp file, fsync, rename, directory
 * fsync) that keeps the file's mode and keeps a symlink a symlink.
 *
 * Reading and replacing the file use synchronous system calls, behind async signatures. They run
 * while the protocol lock keeps other programs waiting, and each async call is a trip through
 * libuv's thread pool and back through the event loop: on a busy machine those trips, not the
 * disk, made the slowest holds (p99 12 ms async, 4 ms sync, measured by npm run bench).
 */
import {createHash, randomBytes} from 'node:crypto'
import fsSync, {constants as fsConstants} from 'node:fs'
import path from 'node:path'

import {
  ConfigError, errnoCode, InternalError, LockTimeoutError,
} from './errors.js'
import {
  anchorDir, AnchoredDir, checkLinkOwners, createExclusive, openIn, Owner, ownerFor, resolveReal, runningAsRoot, UnsafePathError,
} from './files/anchor.js'
import {Observation, readUntilWhole} from './files/in-place.js'
import {
  botocoreView,
  decodeIniText,
  delimiterAt,
  findSection,
  headerName,
  IniDocument,
  IniSection,
  IniSyntaxError,
  IniValue,
  IniView,
  isPySpace,
  leadingSpace,
  lineCount,
  lineEol,
  lineText,
  parseIni,
  profileView,
  pyStrip,
  sectionView,
  skipSpace,
} from './ini.js'

export interface IniFileSnapshot {
  doc: IniDocument
  exists: boolean
  /** Permission bits of the file as it was, if it existed. */
  mode?: number
  /** Owner of the file as it was, if it existed (kept on replace). */
  owner?: {gid: number; uid: number}
  path: string
  text: string
  view: IniView
}

/** Explains a file-system error on `file` as a ConfigError (exit 6) with a hint. */
export function fileError(error: unknown, file: string, doing: string): ConfigError {
  // A path refused on purpose (files/anchor.ts) says why in its own words, whatever its code.
  if (error instanceof UnsafePathError) {
    const hint = error.code === 'EXDEV' ? 'nothing was changed; try again once nothing is moving it' : 'remove or fix that link, or make it belong to the file\'s owner; nothing was changed'
    return new ConfigError(`cannot ${doing} ${file}: ${error.message}`, hint)
  }

  const code = errnoCode(error)
  switch (code) {
    case 'EACCES':
    case 'EPERM': {
      return new ConfigError(`cannot ${doing} ${file}: permission denied`, `check the owner and mode of ${file} and its directory`)
    }

    case 'EDQUOT':
    case 'ENOSPC': {
      return new ConfigError(`cannot ${doing} ${file}: no space left on the device`, 'free some space and try again; the file was not changed')
    }

    case 'EISDIR': {
      return new ConfigError(`cannot ${doing} ${file}: it is a directory`, `move the directory away; ${file} must be a file`)
    }

    case 'ELOOP': {
      return new ConfigError(`cannot ${doing} ${file}: too many levels of symbolic links (a symlink loop?), or a symlink put in its place while mfa-creds was using it`, `fix the symlinks at ${file}`)
    }

    case 'ENOTREG': {
      return new ConfigError(`cannot ${doing} ${file}: it is not a regular file (a pipe, socket or device)`, `put a plain file at ${file}`)
    }

    case 'ENOTDIR': {
      return new ConfigError(`cannot ${doing} ${file}: a part of the path is not a directory`, `check the path ${file}`)
    }

    case 'EROFS': {
      return new ConfigError(`cannot ${doing} ${file}: read-only file system`, 'the file was not changed')
    }

    default: {
      const detail = error instanceof Error ? error.message : String(error)
      return new ConfigError(`cannot ${doing} ${file}: ${detail}`)
    }
  }
}

/** A file's bytes and what a replacement must keep of it, as read; a missing file has no bytes. */
export interface RawFile {
  bytes: Buffer
  exists: boolean
  /** Which inode was read, and when it last changed (undefined when missing, or not a regular file). */
  id?: {dev: number; ino: number; mtimeMs: number; size: number}
  /** Permission bits, if it existed. */
  mode?: number
  /** Owner, if it existed (kept on replace). */
  owner?: {gid: number; uid: number}
  path: string
}

/** Reads what `open` opens; a missing file reads as empty, and anything but a regular file is refused. */
function readOpened(open: () => number, file: string, what: string): RawFile {
  try {
    const fd = open()
    try {
      const stat = fsSync.fstatSync(fd)
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      // /dev/null (AWS_CONFIG_FILE=/dev/null is a common way to say "no config") reads as empty.
      if (!stat.isFile() && !(stat.isCharacterDevice() && stat.rdev === fsSync.statSync('/dev/null').rdev)) {
        throw Object.assign(new Error('not a regular file'), {code: 'ENOTREG'})
      }

      return {
        bytes: fsSync.readFileSync(fd),
        exists: true,
        // Only a regular file can be half-written by another program (not /dev/null, say).
        id: stat.isFile()
          ? {
            dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, size: stat.size,
          }
          : undefined,
        mode: stat.mode & 0o7777,
        owner: {gid: stat.gid, uid: stat.uid},
        path: file,
      }
    } finally {
      fsSync.closeSync(fd)
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {bytes: Buffer.alloc(0), exists: false, path: file}
    throw fileError(error, file, `read the ${what}`)
  }
}

// O_NONBLOCK: a named pipe at the path must not hang the open; it is refused once open.
const READ_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK

/** Reads a file's bytes; a missing file reads as empty, and anything but a regular file is refused. */
export function readRawFile(file: string, what: string): RawFile {
  return readOpened(() => fsSync.openSync(file, READ_FLAGS), file, what)
}

/** Reads the file `name` of an anchored directory, refusing a symlink there (see files/anchor.ts). */
export function readRawIn(dir: AnchoredDir, name: string, file: string, what: string): RawFile {
  return readOpened(() => openIn(dir, name, READ_FLAGS), file, what)
}

/** Whether two reads found the very same file: bytes, existence, mode and owner. */
export function sameRawFile(a: RawFile, b: RawFile): boolean {
  return a.exists === b.exists && a.mode === b.mode && a.owner?.uid === b.owner?.uid && a.owner?.gid === b.owner?.gid && a.bytes.equals(b.bytes)
}

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
export async function readIniFile(file: string, what: string): Promise<IniFileSnapshot> {
  return parseRawFile(FileTarget.read(file, what), what)
}

/** A snapshot whose whole-file view is built only if asked for (one profile: profileView). */
function snapshotOf(fields: Omit<IniFileSnapshot, 'view'>): IniFileSnapshot {
  let view: IniView | undefined
  return {
    ...fields,
    get view() {
      view ??= botocoreView(fields.doc)
      return view
    },
  }
}

/**
 * The session token botocore signs with for a section: aws_session_token if the key is there,
 * else aws_security_token. An empty value is no token: botocore then signs without one.
 */
export function sessionTokenOf(view: Record<string, IniValue>): string | undefined {
  const token = Object.hasOwn(view, 'aws_session_token') ? view.aws_session_token : view.aws_security_token
  return typeof token === 'string' && token !== '' ? token : undefined
}

function filled(value: IniValue | undefined): value is string {
  return typeof value === 'string' && value !== ''
}

/** Whether a section holds an IAM user's long-term keys: an access key and a secret, and no session token. */
export function holdsLongTermKeys(view: Record<string, IniValue> | undefined): boolean {
  return view !== undefined && filled(view.aws_access_key_id) && filled(view.aws_secret_access_key) && sessionTokenOf(view) === undefined
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

/** Keys we write, in the order a new section lists them. */
export const CREDENTIAL_KEYS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'expiration'] as const

export type SectionValues = Array<[key: string, value: string]>

/** A written value must read back exactly: printable ASCII, no spaces (all STS values are). */
function checkValue(key: string, value: string): void {
  if (!/^[\u0021-\u007E]+$/.test(value)) {
    throw new InternalError(`refusing to write a value for ${key} that would not read back unchanged`)
  }
}

/** Checks a section name can be written as a header that botocore reads back as that name. */
export function checkSectionName(name: string): string | undefined {
  if (name === '') return 'a profile name cannot be empty'
  if (name === 'DEFAULT') return 'DEFAULT is not a profile: its keys would be inherited by every profile'
  if (/[\u0000-\u001F\u007F\u0085\u2028\u2029]/.test(name)) return 'a profile name cannot contain control characters or line breaks'
  if (isPySpace(name[0]) || isPySpace(name.at(-1)!)) return 'a profile name cannot start or end with white space'
  if (headerName(`[${name}]`) !== name) return 'a profile name that cannot be written as a section header'
  return undefined
}

function dominantEol(doc: IniDocument): string {
  for (let i = 0; i < lineCount(doc); i++) {
    const eol = lineEol(doc, i)
    if (eol !== '') return eol
  }

  return '\n'
}

interface EditLine {
  eol: string
  text: string
}

function joinLines(lines: readonly EditLine[]): string {
  let out = ''
  for (const line of lines) out += line.text + line.eol
  return out
}

function indentOf(text: string): string {
  return text.slice(0, leadingSpace(text))
}

/**
 * Where new keys go: after the last line of the section's last option (its own line or its last
 * continuation), indented like that option's own line, so they are never read as a continuation
 * and the next header stays a header. In a section without keys they go right after the header,
 * indented like the next header if that is indented deeper (else it would continue their value).
 */
function insertionPoint(doc: IniDocument, section: IniSection): {after: number; indent: string} {
  const last = section.options.at(-1)
  if (last) return {after: last.continuation.at(-1) ?? last.line, indent: indentOf(lineText(doc, last.line))}
  const own = indentOf(lineText(doc, section.header))
  const next = section.end < lineCount(doc) ? indentOf(lineText(doc, section.end)) : ''
  return {after: section.header, indent: next.length > own.length ? next : own}
}

/** Replaces the value of an option line in place, keeping everything up to the value's start. */
function replaceValue(text: string, value: string): string {
  const delimiter = delimiterAt(text, leadingSpace(text), text.length)
  return text.slice(0, skipSpace(text, delimiter + 1, text.length)) + value
}

/**
 * An edit of one section. The new text is prefix + body + suffix: prefix and suffix are the old
 * file's bytes before and after the section's lines (the suffix starts at the next header), and
 * body holds the section's lines, edited.
 */
interface SectionEdit {
  body: string
  /** The header line that starts the suffix, with its line ending; '' when the section ends the file. */
  next: string
  prefix: string
  suffix: string
}

/**
 * Sets `values` in section `name`, leaving every other byte as it was: a key that exists
 * (matched case-insensitively) is replaced in place and loses its continuation lines; a new key
 * goes right after the section's last key line; a missing section goes at the end after one blank
 * line. Only the target section's lines are copied, whatever the size of the file.
 */
function editSection(doc: IniDocument, name: string, values: SectionValues): SectionEdit {
  const problem = checkSectionName(name)
  if (problem) throw new InternalError(`cannot write profile ${JSON.stringify(name)}: ${problem}`)
  for (const [key, value] of values) checkValue(key, value)
  const eol = dominantEol(doc)
  const count = lineCount(doc)
  const section = findSection(doc, name)

  if (!section) {
    let prefix = doc.text
    if (count > 0) {
      if (lineEol(doc, count - 1) === '') prefix += eol
      if (pyStrip(lineText(doc, count - 1)) !== '') prefix += eol
    }

    let body = `[${name}]${eol}`
    for (const [key, value] of values) body += `${key} = ${value}${eol}`
    return {
      body, next: '', prefix, suffix: '',
    }
  }

  // The section's lines, from its header up to the next header; index i here is line first + i.
  const first = section.header
  const lines: EditLine[] = []
  for (let i = first; i < section.end; i++) lines.push({eol: lineEol(doc, i), text: lineText(doc, i)})
  const removed = new Set<number>()
  const added: EditLine[] = []
  for (const [key, value] of values) {
    const opt = section.options.find(o => o.name === key.toLowerCase())
    if (opt) {
      lines[opt.line - first].text = replaceValue(lines[opt.line - first].text, value)
      for (const index of opt.continuation) removed.add(index - first)
    } else {
      added.push({eol, text: `${key} = ${value}`})
    }
  }

  if (added.length > 0) {
    const {after, indent} = insertionPoint(doc, section)
    for (const line of added) line.text = indent + line.text
    const previous = lines[after - first]
    if (previous.eol === '') {
      // The section ends the file without a final newline: keep it that way.
      previous.eol = eol
      added.at(-1)!.eol = ''
    }

    // Removed lines are all at or before `after`, so their indices do not move.
    lines.splice(after - first + 1, 0, ...added)
  }

  return {
    body: joinLines(lines.filter((_, i) => !removed.has(i))),
    next: section.end < count ? doc.text.slice(doc.starts[section.end], doc.starts[section.end + 1]) : '',
    prefix: doc.text.slice(0, doc.starts[first]),
    suffix: doc.text.slice(doc.starts[section.end]),
  }
}

/** `values` set in section `name` of the document's text (see editSection). */
export function setSectionValues(doc: IniDocument, name: string, values: SectionValues): string {
  const edit = editSection(doc, name, values)
  return edit.prefix + edit.body + edit.suffix
}

/**
 * Edits the text and proves the edit: the file must still parse as botocore would, the target
 * must read back `values` and its other keys as before, and every other profile exactly as before.
 *
 * The proof parses only the edited section and the header after it. configparser reads a file
 * line by line, and what it carries from one line to the next is reset by every header. The
 * prefix is unchanged, so it reads as before, and so does the target's header. The body is parsed
 * here on its own. If the next header is still read as a header after it, the parser leaves it in
 * the same state as before, and the unchanged suffix reads as before too. A new section goes at
 * the end, unindented, so it can only be read as a header.
 */
export function editCredentials(before: IniFileSnapshot, name: string, values: SectionValues, what = 'credentials file'): string {
  const edit = editSection(before.doc, name, values)
  let window: IniDocument
  try {
    window = parseIni(edit.body + edit.next)
  } catch (error) {
    throw new InternalError(`the edited ${what} would not parse (${(error as Error).message}); nothing was written`)
  }

  const [section] = window.sections
  if (section?.name !== name || section.header !== 0 || section.end !== lineCount(window) - (edit.next === '' ? 0 : 1)) {
    throw new InternalError(`the edit of [${name}] would change how the rest of the ${what} reads; nothing was written`)
  }

  let after: Record<string, IniValue>
  let previous: Record<string, IniValue>
  try {
    after = sectionView(section, before.doc.defaults)
    // A new section had no keys of its own: all it has beyond `values` is inherited.
    previous = profileView(before.doc, name) ?? after
  } catch (error) {
    // botocore parses a nested DEFAULT value only for the sections that inherit it: one it
    // cannot parse goes unnoticed until a section inherits it, as the target may now.
    if (!(error instanceof IniSyntaxError)) throw error
    throw new ConfigError(
      `adding [${name}] would make botocore refuse the ${what} ${before.path}: its [DEFAULT] ${error.message}`,
      `fix ${before.path} at line ${error.line}; nothing was changed`,
    )
  }

  const written = new Map(values.map(([key, value]) => [key.toLowerCase(), value]))
  for (const [key, value] of written) {
    if (after[key] !== value) throw new InternalError(`the edited ${what} would not read back ${key} for [${name}]; nothing was written`)
  }

  const kept = Object.keys(after).filter(key => !written.has(key))
  const keep = Object.keys(previous).filter(key => !written.has(key))
  if (kept.length !== keep.length || keep.some(key => JSON.stringify(after[key]) !== JSON.stringify(previous[key]))) {
    throw new InternalError(`the edit would change other keys of [${name}]; nothing was written`)
  }

  return edit.prefix + edit.body + edit.suffix
}

/**
 * A file to be replaced, opened for the job: its directory anchored (files/anchor.ts), symlinks
 * on the way followed once (and, run as root, their owners checked), and who owns what is made.
 * Every step of a write (read, temp file, rename, clean-up) goes through it: no second look-up.
 */
export class FileTarget {
  private constructor(
    /** The path as configured, for messages. */
    readonly file: string,
    readonly dir: AnchoredDir,
    /** The real file's name in dir. */
    readonly name: string,
    /** Who owns what is created: the file's owner, else its directory's. */
    readonly owner: Owner,
  ) {}

  /** The target, or undefined when its directory does not exist (and `create` is false). */
  static lookup(file: string, what: string, create: boolean, doing: string): FileTarget | undefined {
    try {
      const resolved = resolveReal(file)
      const owner = ownerFor(resolved.real)
      checkLinkOwners(resolved, owner.uid)
      const dir = anchorDir(path.dirname(resolved.real), {create, owner})
      return dir && new FileTarget(file, dir, path.basename(resolved.real), owner)
    } catch (error) {
      throw fileError(error, file, `${doing} the ${what}`)
    }
  }

  /** Opens `file` for replacing; its directory is made (0700, owned as the file would be) when `create`. */
  static open(file: string, what: string, create = false): FileTarget {
    const target = FileTarget.lookup(file, what, create, 'write')
    if (!target) throw fileError(Object.assign(new Error('no such directory'), {code: 'ENOENT'}), file, `write the ${what}`)
    return target
  }

  /** Reads `file` the same way (links resolved once and checked; never through a link swapped in later); missing reads as empty. */
  static read(file: string, what: string): RawFile {
    const target = FileTarget.lookup(file, what, false, 'read')
    if (!target) return {bytes: Buffer.alloc(0), exists: false, path: file}
    try {
      return target.read(what)
    } finally {
      target.close()
    }
  }

  get realPath(): string {
    return path.join(this.dir.realPath, this.name)
  }

  close(): void {
    this.dir.close()
  }

  read(what: string): RawFile {
    return readRawIn(this.dir, this.name, this.file, what)
  }
}

const TEMP_MARK = '.mfa-creds.'

function tempPattern(base: string): RegExp {
  const escaped = base.replaceAll(/[.*+?^${}()|[\]\\]/g, String.raw`\$&`)
  return new RegExp(`^\\.${escaped}\\.mfa-creds\\.(\\d+)\\.[0-9a-f]+\\.tmp$`)
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoCode(error) === 'EPERM'
  }
}

/** Temp files (real paths) this process has written and not yet renamed or removed: never stale. */
const pendingTempFiles = new Set<string>()

/** Removes temp files that a writer killed mid-write left behind (its process is gone). */
export function removeStaleTempFiles(target: FileTarget): void {
  const pattern = tempPattern(target.name)
  let entries: string[]
  try {
    entries = target.dir.list()
  } catch {
    return
  }

  for (const entry of entries) {
    const match = pattern.exec(entry)
    if (!match || pendingTempFiles.has(path.join(target.dir.realPath, entry))) continue
    // Ours and not pending: left by a failed write of this process, or by a dead one whose pid we reuse.
    const pid = Number(match[1])
    if (pid !== process.pid && processAlive(pid)) continue
    try {
      fsSync.unlinkSync(target.dir.entry(entry))
    } catch {}
  }
}

/** A hook for crash tests: milliseconds to pause between writing the temp file and renaming it. */
function testPauseMs(): number {
  const value = Number(process.env.MFA_CREDS_TEST_PAUSE_BEFORE_RENAME_MS ?? 0)
  return Number.isFinite(value) && value > 0 ? value : 0
}

/** Whether the permission bits of `stat` let uid/gid do `bit` (4 read, 2 write, 1 search), root included. */
function modeAllows(stat: fsSync.Stats, uid: number, gids: readonly number[], bit: number): boolean {
  if (stat.uid === uid) return (stat.mode & (bit << 6)) !== 0
  if (gids.includes(stat.gid)) return (stat.mode & (bit << 3)) !== 0
  return (stat.mode & bit) !== 0
}

/**
 * A file whose mode has no write bit for its owner was made read-only on purpose: that is taken
 * as "do not touch", by root too (for whom access(2) would say yes).
 */
export function checkNotReadOnly(raw: RawFile): void {
  if (raw.exists && raw.mode !== undefined && (raw.mode & 0o200) === 0) {
    throw new ConfigError(
      `${raw.path} is read-only (mode ${(raw.mode & 0o777).toString(8).padStart(4, '0')}): mfa-creds takes that as "do not change it"`,
      `make it writable (chmod u+w ${raw.path}) if mfa-creds should write to it; nothing was changed`,
    )
  }
}

/**
 * Whether `file` can be replaced: its directory takes a new file, and the file itself (when it
 * exists) is not read-only. Run as root on someone else's file, the owner's permissions are what
 * count, not root's: root writes where the owner could.
 */
export async function checkWritable(file: string): Promise<void> {
  const target = FileTarget.lookup(file, 'file', false, 'write')
  // No directory yet: nothing here can say no (the write itself reports what it meets).
  if (!target) return
  try {
    const raw = target.read('file')
    const {owner, realPath} = target
    if (runningAsRoot()) {
      checkNotReadOnly({...raw, path: realPath})
      if (owner.uid !== 0 && !modeAllows(fsSync.fstatSync(target.dir.fd), owner.uid, [owner.gid], 2)) {
        throw new ConfigError(`cannot write ${target.dir.realPath}: its mode does not let its owner's user (uid ${owner.uid}) write there`, `check the owner and mode of ${target.dir.realPath}; nothing was changed`)
      }

      return
    }

    for (const at of [target.dir.realPath, realPath]) {
      try {
        fsSync.accessSync(at, fsConstants.W_OK)
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue
        throw fileError(error, at, 'write')
      }
    }

    checkNotReadOnly({...raw, path: realPath})
  } finally {
    target.close()
  }
}

/**
 * Replaces `file` with `text` atomically: a temp file in the real file's directory (same mode and
 * owner as the old file, else 0600), fsync, rename over the real path (a symlink stays a link),
 * directory fsync. A crash leaves the old file or the new one.
 */
export async function writeFileAtomic(file: string, text: string, mode?: number, owner?: RawFile['owner']): Promise<void> {
  const target = FileTarget.open(file, 'file')
  try {
    await replaceFile(target, text, mode, owner)
    target.dir.sync()
  } finally {
    target.close()
  }
}

/** writeTempFile and commitTempFile in one go. */
export async function replaceFile(target: FileTarget, text: string, mode?: number, owner?: RawFile['owner']): Promise<void> {
  await commitTempFile(target, writeTempFile(target, text, mode, owner))
}

/**
 * The first half of the atomic replace: `text` in a new temp file beside the target (O_EXCL,
 * never through a symlink), with the old file's mode and owner (else 0600, and the owner of the
 * directory's files: see FileTarget), fsynced and closed. Returns its name; on failure nothing is left.
 */
export function writeTempFile(target: FileTarget, text: string, mode?: number, owner?: RawFile['owner']): string {
  const temp = `.${target.name}${TEMP_MARK}${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  const fileMode = mode ?? 0o600
  const fileOwner = owner ?? target.owner
  let fd: number | undefined
  try {
    fd = createExclusive(target.dir, temp, fileMode)
    pendingTempFiles.add(path.join(target.dir.realPath, temp))
    fsSync.fchmodSync(fd, fileMode)
    if (fileOwner.uid !== process.geteuid?.() || fileOwner.gid !== process.getegid?.()) {
      // Root refreshing a user's file must not leave it owned by root.
      try {
        fsSync.fchownSync(fd, fileOwner.uid, fileOwner.gid)
      } catch {}
    }

    fsSync.writeFileSync(fd, text, 'utf8')
    fsSync.fsyncSync(fd)
    fsSync.closeSync(fd)
    return temp
  } catch (error) {
    if (fd !== undefined) {
      try {
        fsSync.closeSync(fd)
      } catch {}

      discardTempFile(target, temp)
    }

    throw fileError(error, target.file, 'write')
  }
}

/** Removes a temp file that will not be renamed. */
export function discardTempFile(target: FileTarget, temp: string): void {
  pendingTempFiles.delete(path.join(target.dir.realPath, temp))
  try {
    fsSync.unlinkSync(target.dir.entry(temp))
  } catch {
    // Left behind, it is removed as stale by a later write.
  }
}

/**
 * The second half: renames the temp file over the target. The last step, the directory fsync
 * (target.dir.sync()), is the caller's, once it has released the lock: that fsync makes the
 * rename survive a power cut, and changes nothing any reader can see, so it need not keep other
 * writers waiting.
 */
export async function commitTempFile(target: FileTarget, temp: string): Promise<void> {
  try {
    const pause = testPauseMs()
    if (pause) {
      await new Promise(resolve => {
        setTimeout(resolve, pause)
      })
    }

    fsSync.renameSync(target.dir.entry(temp), target.dir.entry(target.name))
    pendingTempFiles.delete(path.join(target.dir.realPath, temp))
  } catch (error) {
    discardTempFile(target, temp)
    throw fileError(error, target.file, 'write')
  }
}
