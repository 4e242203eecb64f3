/**
 * The format-preserving editor: sets keys in one section and leaves every other byte as it was,
 * then proves the edit (the new text must read back, as botocore reads it, with the new values
 * and every other profile exactly as before). No file I/O here.
 */
import {ConfigError, InternalError} from '../errors.js'
import {
  botocoreView, delimiterAt, findSection, headerName, IniDocument, IniSection, IniSyntaxError, IniValue, isPySpace, leadingSpace, lineCount, lineEol, lineText, parseIni, profileView,
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

/**
 * Whether `text` reads, as botocore reads it, as `before` with section `name` reading `expected`
 * (its own keys; undefined: the section is gone) and every other profile exactly as before.
 */
function readsAsRemoved(before: IniFileSnapshot, text: string, name: string, expected: Record<string, IniValue> | undefined): boolean {
  let view: Record<string, Record<string, IniValue>>
  let target: IniSection | undefined
  try {
    const after = parseIni(text)
    view = botocoreView(after)
    target = findSection(after, name)
  } catch {
    return false
  }

  if (JSON.stringify(target && sectionView(target, [])) !== JSON.stringify(expected)) return false
  const others = Object.entries(before.view).filter(([section]) => section !== name)
  return Object.keys(view).length === others.length + (target ? 1 : 0)
    && others.every(([other, values]) => JSON.stringify(view[other]) === JSON.stringify(values))
}

/**
 * Removes `keys` (matched case-insensitively) from section `name`: each key's own line and its
 * continuation lines; every other byte stays. When the section is left with no option and no
 * comment, it goes too (its header up to the next header), unless that would change how the next
 * header reads (an indented header after a section's last key continues that key's value), when
 * the empty header stays. Returns undefined when the section holds none of the keys.
 *
 * The proof is a whole re-read (removal is rare; refreshes never remove): the new text must
 * parse as botocore would, the section's own keys must be the old ones without `keys` (or the
 * section gone, when it held nothing else), and every other profile must read exactly as before.
 */
export function removeSectionKeys(before: IniFileSnapshot, name: string, keys: readonly string[], what = 'credentials file'): string | undefined {
  const {doc} = before
  const section = findSection(doc, name)
  const names = new Set(keys.map(key => key.toLowerCase()))
  const gone = section?.options.filter(option => names.has(option.name)) ?? []
  if (!section || gone.length === 0) return undefined

  const removed = new Set<number>()
  for (const option of gone) for (const line of [option.line, ...option.continuation]) removed.add(line)
  const kept: number[] = []
  for (let i = section.header + 1; i < section.end; i++) if (!removed.has(i)) kept.push(i)
  const line = (i: number) => doc.text.slice(doc.starts[i], doc.starts[i + 1])
  const prefix = doc.text.slice(0, doc.starts[section.header])
  const suffix = doc.text.slice(doc.starts[section.end])
  const emptied = kept.every(i => pyStrip(lineText(doc, i)) === '')
  let body = line(section.header) + kept.map(i => line(i)).join('')
  // The section ended the file without a final newline: keep it that way.
  if (suffix === '' && lineEol(doc, lineCount(doc) - 1) === '' && removed.has(lineCount(doc) - 1)) body = body.replace(/(\r\n|\n|\r)$/, '')
  const withHeader = prefix + body + suffix
  const candidates = emptied ? [prefix + suffix, withHeader] : [withHeader]

  const own = sectionView(section, [])
  const expected = Object.fromEntries(Object.entries(own).filter(([key]) => !names.has(key)))
  const proven = candidates.find(text => readsAsRemoved(before, text, name, text === prefix + suffix ? undefined : expected))
  if (proven !== undefined) return proven
  throw new InternalError(`removing ${keys.join(' and ')} from [${name}] would change how the rest of the ${what} reads; nothing was written`)
}
