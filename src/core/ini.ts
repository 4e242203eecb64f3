/**
 * A line-based model of an INI file that reads exactly as botocore does (Python 3.11
 * `configparser.RawConfigParser` with its defaults, then botocore's `raw_config_parse`), and keeps
 * every byte so that an editor can change a few lines and leave the rest as it was.
 *
 * The rules, as Python applies them:
 * - lines end at `\n`, `\r\n` or a lone `\r` (universal newlines); the text is strict UTF-8 and a
 *   byte order mark is an ordinary character (so a file that starts with one has no header);
 * - a line whose stripped text starts with `#` or `;` is a comment; there are no inline comments;
 * - a header is a stripped line that starts with `[` and has a `]` later: the name runs to the
 *   last `]` on the line, unstripped;
 * - an option is split at the first `=` or `:`; its name is right-stripped and lower-cased, its
 *   value stripped; a line indented deeper than the option line continues the value; blank lines
 *   inside a value are kept, trailing ones dropped;
 * - a duplicate section or a duplicate option in a section is an error; so is a line that is
 *   neither header nor option, and any option before the first header;
 * - `[DEFAULT]` is not a section: its options are inherited by every section;
 * - botocore parses a value that starts with a newline as a nested block of `key = value` lines.
 */

/** Python's `str.isspace()` characters, for strip() and indentation. */
const PY_SPACE = new Set([
  '\t',
  '\n',
  '\u000B',
  '\f',
  '\r',
  ' ',
  '\u00A0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200A',
  '\u2028',
  '\u2029',
  '\u202F',
  '\u205F',
  '\u3000',
  '\u001C',
  '\u001D',
  '\u001E',
  '\u001F',
  '\u0085',
])

export function isPySpace(ch: string): boolean {
  return PY_SPACE.has(ch)
}

/** Index of the first non-space character (Python's definition), or text.length. */
export function leadingSpace(text: string): number {
  let i = 0
  while (i < text.length && PY_SPACE.has(text[i])) i++
  return i
}

export function pyRstrip(text: string): string {
  let end = text.length
  while (end > 0 && PY_SPACE.has(text[end - 1])) end--
  return text.slice(0, end)
}

export function pyStrip(text: string): string {
  return pyRstrip(text.slice(leadingSpace(text)))
}

/** Python's `str.splitlines()` (used by botocore's nested-value parser). */
export function pySplitlines(text: string): string[] {
  return text.split(/\r\n|[\n\r\u000B\f\u001C\u001D\u001E\u0085\u2028\u2029]/).filter((_, i, all) => i < all.length - 1 || all[i] !== '')
}

export interface IniLine {
  /** The line ending as it was: '\n', '\r\n', '\r', or '' for a last line without one. */
  eol: string
  /** The line's text without its ending. */
  text: string
}

export interface IniOption {
  /** Indices of continuation lines that gave the value text (not blank or comment lines). */
  continuation: readonly number[]
  /** Index of the option's own line. */
  line: number
  /** Lower-cased name, as configparser stores it. */
  name: string
  /** The joined value, as configparser returns it (before botocore's nested parsing). */
  value: string
}

export interface IniSection {
  /** Index of the header line. */
  header: number
  /** The section's name exactly as botocore sees it (unstripped text between `[` and the last `]`). */
  name: string
  /** Options in file order. */
  options: IniOption[]
}

export interface IniDocument {
  /** Options of `[DEFAULT]` blocks, inherited by every section. */
  defaults: IniOption[]
  lines: IniLine[]
  /** Real sections (not DEFAULT), in file order. */
  sections: IniSection[]
}

export type IniValue = Record<string, string> | string
export type IniView = Record<string, Record<string, IniValue>>

/** A file that botocore would refuse to read. `line` is 1-based, as Python counts. */
export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(line > 0 ? `line ${line}: ${reason}` : reason)
    this.name = 'IniSyntaxError'
  }
}

const DEFAULT_SECTION = 'DEFAULT'

/** Decodes bytes the way Python's strict UTF-8 codec does; a BOM stays part of the text. */
export function decodeIniText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf8', {fatal: true, ignoreBOM: true}).decode(bytes)
  } catch {
    // Find the first line that does not decode, to name it.
    const decoder = new TextDecoder('utf8', {fatal: true, ignoreBOM: true})
    let start = 0
    let line = 1
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0A) {
        try {
          decoder.decode(bytes.subarray(start, i))
        } catch {
          throw new IniSyntaxError(line, 'not valid UTF-8 text (binary data?)')
        }

        start = i + 1
        line++
      }
    }

    throw new IniSyntaxError(0, 'not valid UTF-8 text')
  }
}

export function splitLines(text: string): IniLine[] {
  const lines: IniLine[] = []
  const re = /\r\n|\r|\n/g
  let start = 0
  for (let m = re.exec(text); m; m = re.exec(text)) {
    lines.push({eol: m[0], text: text.slice(start, m.index)})
    start = m.index + m[0].length
  }

  if (start < text.length) lines.push({eol: '', text: text.slice(start)})
  return lines
}

export function joinLines(lines: IniLine[]): string {
  let out = ''
  for (const line of lines) out += line.text + line.eol
  return out
}

/** The name a header line declares, or undefined when the (stripped) line is not a header. */
export function headerName(stripped: string): string | undefined {
  if (!stripped.startsWith('[')) return undefined
  const close = stripped.lastIndexOf(']')
  return close >= 2 ? stripped.slice(1, close) : undefined
}

/** Splits a stripped option line at its first `=` or `:`. */
function splitOption(stripped: string): undefined | {delimiter: number; name: string; value: string} {
  const eq = stripped.indexOf('=')
  const colon = stripped.indexOf(':')
  const delimiter = eq === -1 ? colon : (colon === -1 ? eq : Math.min(eq, colon))
  if (delimiter === -1) return undefined
  return {
    delimiter,
    name: pyRstrip(stripped.slice(0, delimiter)),
    value: pyStrip(stripped.slice(delimiter + 1)),
  }
}

export function isCommentLine(text: string): boolean {
  const stripped = pyStrip(text)
  return stripped.startsWith('#') || stripped.startsWith(';')
}

/** Sections with more options than this get a Set to find duplicates; smaller ones are scanned. */
const SCAN_LIMIT = 16
/** The continuation list of every option that has none (most), shared rather than allocated. */
const NO_CONTINUATION: readonly number[] = Object.freeze([])

/**
 * Parses text as configparser would; throws IniSyntaxError where it would raise. Written to
 * allocate little per line: files of thousands of profiles are parsed twice per write.
 */
export function parseIni(text: string): IniDocument {
  const lines = splitLines(text)
  const doc: IniDocument = {defaults: [], lines, sections: []}
  const seen = new Set<string>()
  // The value of each option: its first piece, then its continuation pieces when it has any.
  const options: IniOption[] = []
  const firstParts: string[] = []
  const moreParts = new Map<number, string[]>()
  let names: Set<string> | undefined
  let current: IniOption[] | undefined
  let sectionName = ''
  let option = -1
  /** Blank lines since the current option's last line: part of its value if a continuation follows. */
  let blanks = 0
  let indentLevel = 0
  let firstError: IniSyntaxError | undefined

  for (const [index, line] of lines.entries()) {
    const lineText = line.text
    const stripped = pyStrip(lineText)
    if (stripped.startsWith('#') || stripped.startsWith(';')) continue
    if (stripped === '') {
      blanks++
      continue
    }

    const indent = leadingSpace(lineText)
    if (current && option >= 0 && indent > indentLevel) {
      const more = moreParts.get(option) ?? []
      for (; blanks > 0; blanks--) more.push('')
      more.push(stripped)
      moreParts.set(option, more)
      const opt = options[option]
      if (opt.continuation === NO_CONTINUATION) opt.continuation = [index]
      else (opt.continuation as number[]).push(index)
      continue
    }

    blanks = 0
    indentLevel = indent
    const name = headerName(stripped)
    if (name !== undefined) {
      if (seen.has(name)) throw new IniSyntaxError(index + 1, `section [${name}] appears twice`)
      if (name === DEFAULT_SECTION) {
        current = doc.defaults
      } else {
        seen.add(name)
        const section: IniSection = {header: index, name, options: []}
        doc.sections.push(section)
        current = section.options
      }

      names = undefined
      sectionName = name
      option = -1
      continue
    }

    if (!current) throw new IniSyntaxError(index + 1, 'text before the first [section] header')
    const split = splitOption(stripped)
    if (!split) {
      firstError ??= new IniSyntaxError(index + 1, 'not a [section] header, a key = value line, or a comment')
      continue
    }

    if (split.name === '') {
      firstError ??= new IniSyntaxError(index + 1, 'a value without a key name')
      option = -1
      continue
    }

    const optionName = split.name.toLowerCase()
    if (current.length === SCAN_LIMIT) names = new Set(current.map(o => o.name))
    if (names ? names.has(optionName) : current.some(o => o.name === optionName)) {
      throw new IniSyntaxError(index + 1, `key ${optionName} appears twice in section [${sectionName}]`)
    }

    names?.add(optionName)
    const opt: IniOption = {
      continuation: NO_CONTINUATION, line: index, name: optionName, value: '',
    }
    option = options.length
    options.push(opt)
    firstParts.push(split.value)
    current.push(opt)
  }

  if (firstError) throw firstError
  for (const [i, opt] of options.entries()) {
    const more = moreParts.get(i)
    opt.value = more ? pyRstrip([firstParts[i], ...more].join('\n')) : pyRstrip(firstParts[i])
  }

  return doc
}

/** botocore's `_parse_nested`: a value that starts with a newline is a block of `key = value` lines. */
function parseNested(value: string, where: number): Record<string, string> {
  const nested: Record<string, string> = {}
  for (const raw of pySplitlines(value)) {
    const line = pyStrip(raw)
    if (line === '') continue
    const eq = line.indexOf('=')
    if (eq === -1) throw new IniSyntaxError(where, `nested line "${line.slice(0, 40)}" has no "="`)
    nested[pyStrip(line.slice(0, eq))] = pyStrip(line.slice(eq + 1))
  }

  return nested
}

/** The options of one section as botocore returns them: own options, then inherited DEFAULT ones. */
export function sectionView(doc: IniDocument, section: IniSection): Record<string, IniValue> {
  const view: Record<string, IniValue> = {}
  for (const list of [section.options, doc.defaults]) {
    for (const opt of list) {
      if (!Object.hasOwn(view, opt.name)) view[opt.name] = opt.value.startsWith('\n') ? parseNested(opt.value, opt.line + 1) : opt.value
    }
  }

  return view
}

/** What botocore's `raw_config_parse` returns for this document; throws where it raises. */
export function botocoreView(doc: IniDocument): IniView {
  const view: IniView = {}
  for (const section of doc.sections) view[section.name] = sectionView(doc, section)
  return view
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  return doc.sections.find(s => s.name === name)
}

/** Reads text as botocore would, throwing IniSyntaxError for anything it refuses. */
export function readIni(text: string): {doc: IniDocument; view: IniView} {
  const doc = parseIni(text)
  return {doc, view: botocoreView(doc)}
}
