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
/* eslint-disable unicorn/prefer-code-point -- offsets here are UTF-16 code units; every character looked for is in the BMP */

/** Python's `str.isspace()`, by UTF-16 code unit (no white space lies outside the BMP). */
export function isSpaceCode(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0D) || (code >= 0x1C && code <= 0x1F)
  return code === 0x85 || code === 0xA0 || code === 0x16_80 || (code >= 0x20_00 && code <= 0x20_0A)
    || code === 0x20_28 || code === 0x20_29 || code === 0x20_2F || code === 0x20_5F || code === 0x30_00
}

export function isPySpace(ch: string): boolean {
  return ch.length === 1 && isSpaceCode(ch.charCodeAt(0))
}

/** Index of the first non-space character (Python's definition), or text.length. */
export function leadingSpace(text: string): number {
  return skipSpace(text, 0, text.length)
}

export function pyRstrip(text: string): string {
  return text.slice(0, trimSpaceEnd(text, 0, text.length))
}

export function pyStrip(text: string): string {
  return pyRstrip(text.slice(leadingSpace(text)))
}

/** Python's `str.splitlines()` (used by botocore's nested-value parser). */
export function pySplitlines(text: string): string[] {
  return text.split(/\r\n|[\n\r\u000B\f\u001C\u001D\u001E\u0085\u2028\u2029]/).filter((_, i, all) => i < all.length - 1 || all[i] !== '')
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

/**
 * A real section (not DEFAULT). Its options are built when first asked for, by parsing its lines
 * alone: parseIni only checks them. Every header resets what configparser carries from one line
 * to the next, so a section's lines parse the same alone as within the file.
 */
export class IniSection {
  /** The document, kept out of sight (no cycle for JSON.stringify or a debugger's dump). */
  readonly #doc: IniDocument
  #options: IniOption[] | undefined

  constructor(
    doc: IniDocument,
    /** The section's name exactly as botocore sees it (unstripped text between `[` and the last `]`). */
    readonly name: string,
    /** Index of the header line. */
    readonly header: number,
    /** Index of the line after the section: the next header (of any section, DEFAULT too) or the line count. */
    public end: number,
    options?: IniOption[],
  ) {
    this.#doc = doc
    this.#options = options
  }

  /** Options in file order. */
  get options(): IniOption[] {
    this.#options ??= scan(this.#doc, this.header, this.end, true).sections[0].options
    return this.#options
  }
}

/**
 * A parsed file that keeps its text: line i is `text.slice(starts[i], ends[i])` and its line
 * ending (`\n`, `\r\n`, `\r`, or none on a last line) runs from `ends[i]` to `starts[i + 1]`.
 * Offsets rather than a string per line: files of thousands of profiles are parsed on every write.
 */
export interface IniDocument {
  /** Options of `[DEFAULT]` blocks, inherited by every section. */
  defaults: IniOption[]
  ends: Uint32Array
  /** Real sections (not DEFAULT), in file order. */
  sections: IniSection[]
  /** One more than the line count: the last entry is text.length. */
  starts: Uint32Array
  text: string
}

export function lineCount(doc: IniDocument): number {
  return doc.ends.length
}

/** Line i's text without its ending. */
export function lineText(doc: IniDocument, i: number): string {
  return doc.text.slice(doc.starts[i], doc.ends[i])
}

/** Line i's ending: '\n', '\r\n', '\r', or '' for a last line without one. */
export function lineEol(doc: IniDocument, i: number): string {
  return doc.text.slice(doc.ends[i], doc.starts[i + 1])
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

/** Byte order marks, longest first (UTF-32 LE begins as UTF-16 LE does). */
const BOMS: Array<{bytes: number[]; order?: 'BE' | 'LE'; utf: 8 | 16 | 32}> = [
  {bytes: [0xFF, 0xFE, 0x00, 0x00], order: 'LE', utf: 32},
  {bytes: [0x00, 0x00, 0xFE, 0xFF], order: 'BE', utf: 32},
  {bytes: [0xEF, 0xBB, 0xBF], utf: 8},
  {bytes: [0xFF, 0xFE], order: 'LE', utf: 16},
  {bytes: [0xFE, 0xFF], order: 'BE', utf: 16},
]

const UTF8_BOM = 'the file starts with a UTF-8 byte order mark (BOM), which botocore does not accept; save it as UTF-8 without a BOM'

/**
 * A file that starts with a byte order mark: botocore reads with Python's plain UTF-8 codec, so a
 * UTF-8 BOM is a character before the first header, and UTF-16 or UTF-32 text does not decode.
 * Either way botocore refuses the file; this says why, instead of "text before the first header".
 */
function bomProblem(bytes: Uint8Array): string | undefined {
  const found = BOMS.find(bom => bom.bytes.every((byte, i) => bytes[i] === byte))
  if (!found) return undefined
  if (found.utf === 8) return UTF8_BOM
  return `the file is UTF-${found.utf} text (it starts with a UTF-${found.utf} ${found.order} byte order mark); botocore reads UTF-8 only: save it as UTF-8 without a BOM`
}

/** Decodes bytes the way Python's strict UTF-8 codec does; a file starting with a BOM is refused, as botocore does. */
export function decodeIniText(bytes: Uint8Array): string {
  const bom = bomProblem(bytes)
  if (bom) throw new IniSyntaxError(1, bom)
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

const LF = 0x0A
const CR = 0x0D
const HASH = 0x23
const SEMICOLON = 0x3B
const OPEN = 0x5B
const CLOSE = 0x5D
const EQUALS = 0x3D
const COLON = 0x3A

/** Line offsets of text, split at `\n`, `\r\n` and a lone `\r` (Python's universal newlines). */
function lineOffsets(text: string): {ends: Uint32Array; starts: Uint32Array} {
  const {length} = text
  let starts = new Uint32Array(Math.max(16, length >> 5))
  let ends = new Uint32Array(starts.length)
  let count = 0
  /** Records line [start, end) and makes room for one more line and the sentinel (writes past a typed array's end are lost). */
  const add = (start: number, end: number): void => {
    starts[count] = start
    ends[count++] = end
    if (count + 1 < starts.length) return
    const grownStarts = new Uint32Array(starts.length * 2)
    grownStarts.set(starts)
    starts = grownStarts
    const grownEnds = new Uint32Array(starts.length)
    grownEnds.set(ends)
    ends = grownEnds
  }

  let start = 0
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i)
    if (code !== LF && code !== CR) continue
    add(start, i)
    if (code === CR && text.charCodeAt(i + 1) === LF) i++
    start = i + 1
  }

  // A last line without an ending; then the sentinel, text.length.
  if (start < length) add(start, length)
  starts[count] = length
  return {ends: ends.subarray(0, count), starts: starts.subarray(0, count + 1)}
}

/** The name a header line declares, or undefined when the (stripped) line is not a header. */
export function headerName(stripped: string): string | undefined {
  return headerNameAt(stripped, 0, stripped.length)
}

/** Sections with more options than this get a Set to find duplicates; smaller ones are scanned. */
const SCAN_LIMIT = 16
/** The continuation list of every option that has none (most), shared rather than allocated. */
const NO_CONTINUATION: readonly number[] = Object.freeze([])

interface ScanResult {
  defaults: IniOption[]
  /** Whether some value is a nested block (botocore parses those, and may refuse them). */
  nested: boolean
  sections: IniSection[]
}

/**
 * configparser's loop over lines [from, to) of doc; throws IniSyntaxError where it would raise.
 * DEFAULT options are always built. Section options are built when `build` is set; otherwise
 * they are only checked (duplicates, syntax), and built on demand by IniSection.
 */
function scan(doc: IniDocument, from: number, to: number, build: boolean): ScanResult {
  const scanner = new Scanner(doc, to, build)
  const {ends, starts, text} = doc
  for (let index = from; index < to; index++) {
    const lineStart = starts[index]
    const a = skipSpace(text, lineStart, ends[index])
    if (a === ends[index]) {
      scanner.blanks++
      continue
    }

    const first = text.charCodeAt(a)
    if (first === HASH || first === SEMICOLON) continue
    scanner.line(index, a - lineStart, a, trimSpaceEnd(text, a, ends[index]))
  }

  return scanner.finish()
}

/** Index of the first non-space character in [from, to), or `to`. */
export function skipSpace(text: string, from: number, to: number): number {
  let i = from
  while (i < to && isSpaceCode(text.charCodeAt(i))) i++
  return i
}

/** End of [from, to) without its trailing spaces. */
function trimSpaceEnd(text: string, from: number, to: number): number {
  let i = to
  while (i > from && isSpaceCode(text.charCodeAt(i - 1))) i--
  return i
}

/** The section a stripped line [a, b) declares (up to its last `]`), or undefined. */
function headerNameAt(text: string, a: number, b: number): string | undefined {
  if (text.charCodeAt(a) !== OPEN) return undefined
  let close = b - 1
  while (close > a && text.charCodeAt(close) !== CLOSE) close--
  return close >= a + 2 ? text.slice(a + 1, close) : undefined
}

/** Index of the first `=` or `:` in [a, b), or b: where an option line's name ends. */
export function delimiterAt(text: string, a: number, b: number): number {
  let i = a
  for (let c = text.charCodeAt(i); i < b && c !== EQUALS && c !== COLON; c = text.charCodeAt(i)) i++
  return i
}

/** What configparser carries from one line to the next, and what one scan collects. */
class Scanner {
  /** Blank lines since the open option's last line: part of its value if a continuation follows. */
  blanks = 0
  private emptyFirst = false
  private firstError: IniSyntaxError | undefined
  private indentLevel = 0
  private inSection = false
  /** Where built options go: DEFAULT's list, or the section's when building; undefined when only checking. */
  private list: IniOption[] | undefined
  /** Continuation pieces of the built options that have them (few), joined at the end. */
  private readonly moreParts = new Map<IniOption, string[]>()
  /** Key names of the current section, for duplicates (a Set once there are many). */
  private readonly names: string[] = []
  private nameSet: Set<string> | undefined
  /** Whether an option is open (continuation lines extend it), and its record if built. */
  private open = false
  private option: IniOption | undefined
  private readonly result: ScanResult = {defaults: [], nested: false, sections: []}
  private section: IniSection | undefined
  private sectionName = ''
  private readonly seen = new Set<string>()

  constructor(
    private readonly doc: IniDocument,
    private readonly to: number,
    private readonly build: boolean,
  ) {}

  finish(): ScanResult {
    if (this.firstError) throw this.firstError
    for (const [opt, more] of this.moreParts) opt.value = pyRstrip([opt.value, ...more].join('\n'))
    return this.result
  }

  /** A line that is neither blank nor a comment; [a, b) is its stripped text. */
  line(index: number, indent: number, a: number, b: number): void {
    if (this.open && indent > this.indentLevel) {
      this.continuation(index, a, b)
      return
    }

    this.blanks = 0
    this.indentLevel = indent
    const name = headerNameAt(this.doc.text, a, b)
    if (name === undefined) this.keyLine(index, a, b)
    else this.header(index, name)
  }

  private addName(index: number, name: string): void {
    if (!this.nameSet && this.names.length >= SCAN_LIMIT) this.nameSet = new Set(this.names)
    if (this.nameSet ? this.nameSet.has(name) : this.names.includes(name)) {
      throw new IniSyntaxError(index + 1, `key ${name} appears twice in section [${this.sectionName}]`)
    }

    if (this.nameSet) this.nameSet.add(name)
    else this.names.push(name)
  }

  private continuation(index: number, a: number, b: number): void {
    if (this.emptyFirst) this.result.nested = true
    const {option} = this
    if (option) {
      const more = this.moreParts.get(option) ?? []
      for (; this.blanks > 0; this.blanks--) more.push('')
      more.push(this.doc.text.slice(a, b))
      this.moreParts.set(option, more)
      if (option.continuation === NO_CONTINUATION) option.continuation = [index]
      else (option.continuation as number[]).push(index)
    }

    this.blanks = 0
  }

  private header(index: number, name: string): void {
    if (this.seen.has(name)) throw new IniSyntaxError(index + 1, `section [${name}] appears twice`)
    if (this.section) this.section.end = index
    this.names.length = 0
    this.nameSet = undefined
    if (name === DEFAULT_SECTION) {
      this.section = undefined
      this.list = this.result.defaults
      // configparser refuses a key repeated in a later [DEFAULT] block too.
      for (const opt of this.result.defaults) this.names.push(opt.name)
    } else {
      this.seen.add(name)
      this.list = this.build ? [] : undefined
      this.section = new IniSection(this.doc, name, index, this.to, this.list)
      this.result.sections.push(this.section)
    }

    this.inSection = true
    this.sectionName = name
    this.open = false
    this.option = undefined
  }

  private keyLine(index: number, a: number, b: number): void {
    if (!this.inSection) throw new IniSyntaxError(index + 1, 'text before the first [section] header')
    const {text} = this.doc
    const delimiter = delimiterAt(text, a, b)
    if (delimiter === b) {
      this.firstError ??= new IniSyntaxError(index + 1, 'not a [section] header, a key = value line, or a comment')
      return
    }

    const nameEnd = trimSpaceEnd(text, a, delimiter)
    if (nameEnd === a) {
      this.firstError ??= new IniSyntaxError(index + 1, 'a value without a key name')
      this.open = false
      this.option = undefined
      return
    }

    const name = text.slice(a, nameEnd).toLowerCase()
    this.addName(index, name)
    const valueStart = skipSpace(text, delimiter + 1, b)
    this.open = true
    this.emptyFirst = valueStart === b
    this.option = undefined
    if (this.list) {
      this.option = {
        continuation: NO_CONTINUATION, line: index, name, value: text.slice(valueStart, b),
      }
      this.list.push(this.option)
    }
  }
}

/**
 * Parses text as configparser would and checks it as botocore's `raw_config_parse` would; throws
 * IniSyntaxError where either raises. Costs little per line beyond the text itself: a section's
 * options are built only when asked for.
 */
export function parseIni(text: string): IniDocument {
  if (text.startsWith('\uFEFF')) throw new IniSyntaxError(1, UTF8_BOM)
  const {ends, starts} = lineOffsets(text)
  const doc: IniDocument = {
    defaults: [], ends, sections: [], starts, text,
  }
  const {defaults, nested, sections} = scan(doc, 0, ends.length, false)
  doc.defaults = defaults
  doc.sections = sections
  // A nested value botocore cannot parse makes it refuse the whole file; files with nested
  // values are rare and small (config files), so check them the way botocore does.
  if (nested) botocoreView(doc)
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
export function sectionView(section: Pick<IniSection, 'options'>, defaults: readonly IniOption[]): Record<string, IniValue> {
  const view: Record<string, IniValue> = {}
  for (const list of [section.options, defaults]) {
    for (const opt of list) {
      if (!Object.hasOwn(view, opt.name)) view[opt.name] = opt.value.startsWith('\n') ? parseNested(opt.value, opt.line + 1) : opt.value
    }
  }

  return view
}

/** What botocore's `raw_config_parse` returns for this document; throws where it raises. */
export function botocoreView(doc: IniDocument): IniView {
  const view: IniView = {}
  for (const section of doc.sections) view[section.name] = sectionView(section, doc.defaults)
  return view
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  return doc.sections.find(s => s.name === name)
}

/** What botocore returns for one profile of the document (own keys, then DEFAULT ones), if it has that section. */
export function profileView(doc: IniDocument, name: string): Record<string, IniValue> | undefined {
  const section = findSection(doc, name)
  return section && sectionView(section, doc.defaults)
}

/** Reads text as botocore would, throwing IniSyntaxError for anything it refuses. */
export function readIni(text: string): {doc: IniDocument; view: IniView} {
  const doc = parseIni(text)
  return {doc, view: botocoreView(doc)}
}
