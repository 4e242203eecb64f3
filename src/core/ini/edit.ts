/**
 * The format-preserving editor: sets keys in one section and leaves every other byte as it was,
 * then proves the edit (the new text must read back, as botocore reads it, with the new values
 * and every other profile exactly as before). No file I/O here.
 */
import {ConfigError, InternalError} from '../errors.js'
import {
  delimiterAt, findSection, headerName, IniDocument, IniSection, IniSyntaxError, IniValue, isPySpace, leadingSpace, lineCount, lineEol, lineText, parseIni, profileView,
  pyStrip, sectionView, skipSpace,
} from './parse.js'
import {IniFileSnapshot} from './snapshot.js'

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
