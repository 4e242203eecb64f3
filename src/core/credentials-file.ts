/**
 * The shared credentials file: a botocore-faithful reader (see ini.ts), a format-preserving editor
 * that touches only the target section, and an atomic replace (temp file, fsync, rename, directory
 * fsync) that keeps the file's mode and keeps a symlink a symlink.
 */
import {randomBytes} from 'node:crypto'
import {promises as fs, constants as fsConstants} from 'node:fs'
import path from 'node:path'

import {ConfigError, errnoCode, InternalError} from './errors.js'
import {
  decodeIniText,
  findSection,
  headerName,
  IniDocument,
  IniLine,
  IniSection,
  IniSyntaxError,
  IniView,
  isPySpace,
  joinLines,
  leadingSpace,
  parseIni,
  pyStrip,
  readIni,
  sectionView,
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

/** Reads and parses an INI file as botocore would. A missing file reads as empty. */
export async function readIniFile(file: string, what: string): Promise<IniFileSnapshot> {
  let bytes: Buffer
  let mode: number | undefined
  let owner: IniFileSnapshot['owner']
  try {
    // O_NONBLOCK: a named pipe at the path must not hang the open; it is refused just below.
    const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
    try {
      const stat = await handle.stat()
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      // /dev/null (AWS_CONFIG_FILE=/dev/null is a common way to say "no config") reads as empty.
      if (!stat.isFile() && !(stat.isCharacterDevice() && stat.rdev === (await fs.stat('/dev/null')).rdev)) {
        throw Object.assign(new Error('not a regular file'), {code: 'ENOTREG'})
      }

      mode = stat.mode & 0o7777
      owner = {gid: stat.gid, uid: stat.uid}
      bytes = await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      const doc = parseIni('')
      return {
        doc, exists: false, path: file, text: '', view: {},
      }
    }

    throw fileError(error, file, `read the ${what}`)
  }

  try {
    const text = decodeIniText(bytes)
    const {doc, view} = readIni(text)
    return {
      doc, exists: true, mode, owner, path: file, text, view,
    }
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

function dominantEol(lines: IniLine[]): string {
  return lines.find(l => l.eol !== '')?.eol ?? '\n'
}

/**
 * Where new keys go: after the last line of the section's last option (its own line or its last
 * continuation), indented like that option's own line (so they are never read as a continuation).
 */
function insertionPoint(section: IniSection, lines: IniLine[]): {after: number; indent: string} {
  const last = section.options.at(-1)
  if (!last) return {after: section.header, indent: ''}
  const own = lines[last.line].text
  return {after: last.continuation.at(-1) ?? last.line, indent: own.slice(0, leadingSpace(own))}
}

/** Replaces the value of an option line in place, keeping everything up to the value's start. */
function replaceValue(text: string, value: string): string {
  const start = leadingSpace(text)
  const rest = text.slice(start)
  const eq = rest.indexOf('=')
  const colon = rest.indexOf(':')
  const delimiter = start + (eq === -1 ? colon : (colon === -1 ? eq : Math.min(eq, colon)))
  let valueStart = delimiter + 1
  while (valueStart < text.length && isPySpace(text[valueStart])) valueStart++
  return text.slice(0, valueStart) + value
}

/**
 * Sets `values` in section `name`, leaving every other byte as it was: a key that exists
 * (matched case-insensitively) is replaced in place and loses its continuation lines; a new key
 * goes right after the section's last key line; a missing section goes at the end after one blank
 * line. Returns the new text.
 */
export function setSectionValues(doc: IniDocument, name: string, values: SectionValues): string {
  const problem = checkSectionName(name)
  if (problem) throw new InternalError(`cannot write profile ${JSON.stringify(name)}: ${problem}`)
  for (const [key, value] of values) checkValue(key, value)
  const lines = doc.lines.map(l => ({...l}))
  const eol = dominantEol(lines)
  const section = findSection(doc, name)

  if (!section) {
    const last = lines.at(-1)
    if (last) {
      if (last.eol === '') last.eol = eol
      if (pyStrip(last.text) !== '') lines.push({eol, text: ''})
    }

    lines.push({eol, text: `[${name}]`})
    for (const [key, value] of values) lines.push({eol, text: `${key} = ${value}`})
    return joinLines(lines)
  }

  const removed = new Set<number>()
  const added: IniLine[] = []
  for (const [key, value] of values) {
    const opt = section.options.find(o => o.name === key.toLowerCase())
    if (opt) {
      lines[opt.line].text = replaceValue(lines[opt.line].text, value)
      for (const index of opt.continuation) removed.add(index)
    } else {
      added.push({eol, text: `${key} = ${value}`})
    }
  }

  if (added.length > 0) {
    const {after, indent} = insertionPoint(section, lines)
    for (const line of added) line.text = indent + line.text
    if (lines[after].eol === '') {
      // The section ends the file without a final newline: keep it that way.
      lines[after].eol = eol
      added.at(-1)!.eol = ''
    }

    lines.splice(after + 1, 0, ...added)
    // Indices after the insertion point move; removed lines are all at or before `after`.
  }

  return joinLines(lines.filter((_, i) => !removed.has(i)))
}

/**
 * Edits the text and proves the edit: the result must parse as botocore would, the target must
 * read back exactly as `values`, and every other profile exactly as before.
 */
export function editCredentials(before: IniFileSnapshot, name: string, values: SectionValues, what = 'credentials file'): string {
  const text = setSectionValues(before.doc, name, values)
  let after: IniView
  try {
    after = readIni(text).view
  } catch (error) {
    throw new InternalError(`the edited ${what} would not parse (${(error as Error).message}); nothing was written`)
  }

  const target = after[name] ?? {}
  for (const [key, value] of values) {
    if (target[key.toLowerCase()] !== value) {
      throw new InternalError(`the edited ${what} would not read back ${key} for [${name}]; nothing was written`)
    }
  }

  for (const [section, options] of Object.entries(before.view)) {
    if (section !== name && JSON.stringify(after[section]) !== JSON.stringify(options)) {
      throw new InternalError(`the edit would change profile [${section}]; nothing was written`)
    }
  }

  return text
}

/** The section's own raw lines, for telling whether another writer changed it. */
export function sectionFingerprint(snapshot: IniFileSnapshot, name: string): string | undefined {
  const section = findSection(snapshot.doc, name)
  if (!section) return undefined
  return JSON.stringify(sectionView(snapshot.doc, section))
}

/** Follows a chain of symlinks (even a dangling one) to the path a write must replace. */
export async function resolveWritePath(file: string): Promise<string> {
  let current = path.resolve(file)
  for (let hops = 0; hops < 40; hops++) {
    let link: string
    try {
      link = await fs.readlink(current)
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

/** Removes temp files that a writer killed mid-write left behind (its process is gone). */
export async function removeStaleTempFiles(realPath: string): Promise<void> {
  const dir = path.dirname(realPath)
  const pattern = tempPattern(path.basename(realPath))
  let entries: string[]
  try {
    entries = await fs.readdir(dir)
  } catch {
    return
  }

  await Promise.all(entries.map(async entry => {
    const match = pattern.exec(entry)
    if (!match) return
    const pid = Number(match[1])
    if (pid !== process.pid && processAlive(pid)) return
    await fs.rm(path.join(dir, entry), {force: true})
  }))
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
  const realPath = await resolveWritePath(file)
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
export async function writeFileAtomic(file: string, text: string, mode?: number, owner?: IniFileSnapshot['owner']): Promise<void> {
  const realPath = await resolveWritePath(file)
  const dir = path.dirname(realPath)
  const temp = path.join(dir, `.${path.basename(realPath)}${TEMP_MARK}${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const fileMode = mode ?? 0o600
  let handle: fs.FileHandle | undefined
  try {
    handle = await fs.open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, fileMode)
    await handle.chmod(fileMode)
    if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      // Root refreshing a user's file must not leave it owned by root.
      await handle.chown(owner.uid, owner.gid).catch(() => {})
    }

    await handle.writeFile(text, 'utf8')
    await handle.sync()
    await handle.close()
    handle = undefined
    const pause = testPauseMs()
    if (pause) await new Promise(resolve => {
      setTimeout(resolve, pause)
    })
    await fs.rename(temp, realPath)
  } catch (error) {
    await handle?.close().catch(() => {})
    await fs.rm(temp, {force: true}).catch(() => {})
    throw fileError(error, realPath, 'write')
  }

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
