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
import {randomBytes} from 'node:crypto'
import fsSync, {promises as fs, constants as fsConstants} from 'node:fs'
import path from 'node:path'

import {ConfigError, errnoCode, InternalError} from './errors.js'
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
      return new ConfigError(`cannot ${doing} ${file}: too many levels of symbolic links (a symlink loop?)`, `fix the symlinks at ${file}`)
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
  /** Permission bits, if it existed. */
  mode?: number
  /** Owner, if it existed (kept on replace). */
  owner?: {gid: number; uid: number}
  path: string
}

/** Reads a file's bytes; a missing file reads as empty, and anything but a regular file is refused. */
export function readRawFile(file: string, what: string): RawFile {
  try {
    // O_NONBLOCK: a named pipe at the path must not hang the open; it is refused just below.
    const fd = fsSync.openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
    try {
      const stat = fsSync.fstatSync(fd)
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      // /dev/null (AWS_CONFIG_FILE=/dev/null is a common way to say "no config") reads as empty.
      if (!stat.isFile() && !(stat.isCharacterDevice() && stat.rdev === fsSync.statSync('/dev/null').rdev)) {
        throw Object.assign(new Error('not a regular file'), {code: 'ENOTREG'})
      }

      return {
        bytes: fsSync.readFileSync(fd), exists: true, mode: stat.mode & 0o7777, owner: {gid: stat.gid, uid: stat.uid}, path: file,
      }
    } finally {
      fsSync.closeSync(fd)
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {bytes: Buffer.alloc(0), exists: false, path: file}
    throw fileError(error, file, `read the ${what}`)
  }
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

/** Reads and parses an INI file as botocore would. A missing file reads as empty. */
export async function readIniFile(file: string, what: string): Promise<IniFileSnapshot> {
  return parseRawFile(readRawFile(file, what), what)
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

/** Follows a chain of symlinks (even a dangling one) to the path a write must replace. */
export function resolveWritePath(file: string): string {
  let current = path.resolve(file)
  for (let hops = 0; hops < 40; hops++) {
    let link: string
    try {
      link = fsSync.readlinkSync(current)
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'EINVAL' || code === 'ENOENT') return current
      throw fileError(error, file, 'resolve')
    }

    current = path.resolve(path.dirname(current), link)
  }

  throw fileError(Object.assign(new Error('loop'), {code: 'ELOOP'}), file, 'resolve')
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

/** Temp files this process has written and not yet renamed or removed: never stale. */
const pendingTempFiles = new Set<string>()

/** Removes temp files that a writer killed mid-write left behind (its process is gone). */
export function removeStaleTempFiles(realPath: string): void {
  const dir = path.dirname(realPath)
  const pattern = tempPattern(path.basename(realPath))
  let entries: string[]
  try {
    entries = fsSync.readdirSync(dir)
  } catch {
    return
  }

  for (const entry of entries) {
    const match = pattern.exec(entry)
    const file = path.join(dir, entry)
    if (!match || pendingTempFiles.has(file)) continue
    // Ours and not pending: left by a failed write of this process, or by a dead one whose pid we reuse.
    const pid = Number(match[1])
    if (pid !== process.pid && processAlive(pid)) continue
    fsSync.rmSync(file, {force: true})
  }
}

/** A hook for crash tests: milliseconds to pause between writing the temp file and renaming it. */
function testPauseMs(): number {
  const value = Number(process.env.MFA_CREDS_TEST_PAUSE_BEFORE_RENAME_MS ?? 0)
  return Number.isFinite(value) && value > 0 ? value : 0
}

/**
 * Whether `file` can be replaced: its directory takes a new file, and the file itself (when it
 * exists) is not read-only. A file made read-only is taken as "do not touch", not overridden.
 */
export async function checkWritable(file: string): Promise<void> {
  const realPath = resolveWritePath(file)
  for (const target of [path.dirname(realPath), realPath]) {
    try {
      await fs.access(target, fsConstants.W_OK)
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' && target === realPath) continue
      throw fileError(error, target, 'write')
    }
  }
}

/**
 * Replaces `file` with `text` atomically: a temp file in the real file's directory (same mode and
 * owner as the old file, else 0600), fsync, rename over the real path (a symlink stays a link),
 * directory fsync. A crash leaves the old file or the new one.
 */
export async function writeFileAtomic(file: string, text: string, mode?: number, owner?: RawFile['owner']): Promise<void> {
  const syncDirectory = await replaceFile(resolveWritePath(file), text, mode, owner)
  await syncDirectory()
}

/** writeTempFile and commitTempFile in one go, on a path already resolved (resolveWritePath). */
export async function replaceFile(realPath: string, text: string, mode?: number, owner?: RawFile['owner']): Promise<() => Promise<void>> {
  return commitTempFile(writeTempFile(realPath, text, mode, owner), realPath)
}

/**
 * The first half of the atomic replace: `text` in a new temp file beside realPath, with the old
 * file's mode and owner (else 0600), fsynced and closed. Returns its path; on failure nothing is left.
 */
export function writeTempFile(realPath: string, text: string, mode?: number, owner?: RawFile['owner']): string {
  const temp = path.join(path.dirname(realPath), `.${path.basename(realPath)}${TEMP_MARK}${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const fileMode = mode ?? 0o600
  let fd: number | undefined
  try {
    fd = fsSync.openSync(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, fileMode)
    pendingTempFiles.add(temp)
    fsSync.fchmodSync(fd, fileMode)
    if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      // Root refreshing a user's file must not leave it owned by root.
      try {
        fsSync.fchownSync(fd, owner.uid, owner.gid)
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

      discardTempFile(temp)
    }

    throw fileError(error, realPath, 'write')
  }
}

/** Removes a temp file that will not be renamed. */
export function discardTempFile(temp: string): void {
  pendingTempFiles.delete(temp)
  try {
    fsSync.rmSync(temp, {force: true})
  } catch {
    // Left behind, it is removed as stale by a later write.
  }
}

/**
 * The second half: renames the temp file over realPath. Returns the last step, the directory
 * fsync, for the caller to run once it has released the lock: that fsync makes the rename survive
 * a power cut, and changes nothing any reader can see, so it need not keep other writers waiting.
 */
export async function commitTempFile(temp: string, realPath: string): Promise<() => Promise<void>> {
  try {
    const pause = testPauseMs()
    if (pause) await new Promise(resolve => {
      setTimeout(resolve, pause)
    })
    fsSync.renameSync(temp, realPath)
    pendingTempFiles.delete(temp)
  } catch (error) {
    discardTempFile(temp)
    throw fileError(error, realPath, 'write')
  }

  const dir = path.dirname(realPath)
  return async () => {
    try {
      const dirHandle = await fs.open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY)
      try {
        await dirHandle.sync()
      } finally {
        await dirHandle.close()
      }
    } catch {
      // The rename is done; a directory that cannot be fsynced (some file systems) is not fatal.
    }
  }
}
