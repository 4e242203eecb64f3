/**
 * Just enough XML to read what STS answers (the Query protocol's `...Response` and
 * `ErrorResponse` documents): elements, attributes (skipped), text, CDATA, comments, processing
 * instructions and the five named entities with numeric references. Anything else, a DOCTYPE
 * included, makes the document unreadable: STS sends none, and what we cannot read we must not
 * guess at.
 */

export interface XmlElement {
  children: XmlElement[]
  /** The local name: a namespace prefix (`sts:Code`) is dropped. */
  name: string
  /** The element's own text (its children's not included), entities decoded. */
  text: string
}

/** A document that is not well-formed XML; the message says where, never what the document holds (a secret, for credentials). */
export class XmlSyntaxError extends Error {
  constructor(what: string, offset: number) {
    super(`XML parse error: ${what} at character ${offset}`)
    this.name = 'XmlSyntaxError'
  }
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', apos: "'", gt: '>', lt: '<', quot: '"',
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\u00B7-\uFFFF-]*/y
const ATTRIBUTE = /\s+([A-Za-z_:\u00C0-\uFFFF][\w.:\u00B7-\uFFFF-]*)\s*=\s*("[^"<]*"|'[^'<]*')/y
const WHITESPACE = /\s*/y
const REFERENCE = /&(?:#(\d+)|#x([\dA-Fa-f]+)|(\w+));/y

/** Text with its entity and character references decoded; a bare `&` or an unknown entity is unreadable. */
function decode(raw: string, offset: number): string {
  if (!raw.includes('&')) return raw
  let out = ''
  let at = 0
  for (;;) {
    const amp = raw.indexOf('&', at)
    if (amp === -1) return out + raw.slice(at)
    out += raw.slice(at, amp)
    REFERENCE.lastIndex = amp
    const m = REFERENCE.exec(raw)
    if (!m) throw new XmlSyntaxError('a & that starts no reference', offset + amp)
    if (m[3] === undefined) {
      const code = m[1] === undefined ? Number.parseInt(m[2], 16) : Number.parseInt(m[1], 10)
      const allowed = code === 0x9 || code === 0xA || code === 0xD || (code >= 0x20 && code <= 0xD7_FF) || (code >= 0xE0_00 && code <= 0x10_FF_FF && code !== 0xFF_FE && code !== 0xFF_FF)
      if (!allowed) throw new XmlSyntaxError('a character reference to no XML character', offset + amp)
      out += String.fromCodePoint(code)
    } else {
      const named = NAMED_ENTITIES[m[3]]
      if (named === undefined) throw new XmlSyntaxError(`an unknown entity &${m[3]};`, offset + amp)
      out += named
    }

    at = REFERENCE.lastIndex
  }
}

function localName(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1)
}

/** A reader over one document: `at` is where it has got to; `open` the elements not yet closed. */
class Reader {
  at: number
  readonly open: Array<{element: XmlElement; rawName: string}> = []
  root: undefined | XmlElement

  constructor(private readonly text: string) {
    this.at = text.codePointAt(0) === 0xFE_FF ? 1 : 0
  }

  /** Markup at `at`: a comment, PI, CDATA section, end tag or start tag. */
  markup(): void {
    if (this.skipMisc()) return
    const {text} = this
    const top = this.open.at(-1)
    if (text.startsWith('<![CDATA[', this.at)) {
      const end = text.indexOf(']]>', this.at + 9)
      if (end === -1 || !top) throw new XmlSyntaxError('a CDATA section outside an element or unterminated', this.at)
      top.element.text += text.slice(this.at + 9, end)
      this.at = end + 3
    } else if (text.startsWith('<!', this.at)) {
      throw new XmlSyntaxError('a declaration (DOCTYPE or other) that is not read', this.at)
    } else if (text.startsWith('</', this.at)) {
      this.endTag()
    } else {
      this.startTag()
    }
  }

  /** Skips `<!--...-->` or `<?...?>` at `at`; false when neither starts there. */
  skipMisc(): boolean {
    for (const [open, close] of [['<!--', '-->'], ['<?', '?>']]) {
      if (!this.text.startsWith(open, this.at)) continue
      const end = this.text.indexOf(close, this.at + open.length)
      if (end === -1) throw new XmlSyntaxError(`an unterminated ${open}`, this.at)
      this.at = end + close.length
      return true
    }

    return false
  }

  skipWhitespace(from = this.at): number {
    WHITESPACE.lastIndex = from
    WHITESPACE.exec(this.text)
    return WHITESPACE.lastIndex
  }

  /** Text up to the next markup, into the open element. */
  textUntilMarkup(): void {
    const lt = this.text.indexOf('<', this.at)
    if (lt === -1) throw new XmlSyntaxError('the document ends inside an element', this.text.length)
    const raw = this.text.slice(this.at, lt)
    if (raw.includes(']]>')) throw new XmlSyntaxError(']]> in text', this.at)
    this.open.at(-1)!.element.text += decode(raw, this.at)
    this.at = lt
  }

  private endTag(): void {
    NAME.lastIndex = this.at + 2
    const name = NAME.exec(this.text)?.[0]
    const close = this.skipWhitespace(NAME.lastIndex)
    if (!name || name !== this.open.at(-1)?.rawName || this.text[close] !== '>') throw new XmlSyntaxError('an end tag that closes no open element', this.at)
    this.at = close + 1
    this.open.pop()
  }

  private startTag(): void {
    const {text} = this
    NAME.lastIndex = this.at + 1
    const name = NAME.exec(text)?.[0]
    if (!name) throw new XmlSyntaxError('a < that starts no tag', this.at)
    let end = NAME.lastIndex
    const seen = new Set<string>()
    for (;;) {
      ATTRIBUTE.lastIndex = end
      const m = ATTRIBUTE.exec(text)
      if (!m) break
      if (seen.has(m[1])) throw new XmlSyntaxError(`the attribute ${m[1]} appears twice`, end)
      seen.add(m[1])
      decode(m[2].slice(1, -1), end)
      end = ATTRIBUTE.lastIndex
    }

    end = this.skipWhitespace(end)
    const selfClosing = text.startsWith('/>', end)
    if (!selfClosing && text[end] !== '>') throw new XmlSyntaxError(`a malformed start tag <${localName(name)}`, this.at)
    const element: XmlElement = {children: [], name: localName(name), text: ''}
    const parent = this.open.at(-1)
    if (parent) parent.element.children.push(element)
    else this.root = element
    this.at = end + (selfClosing ? 2 : 1)
    if (!selfClosing) this.open.push({element, rawName: name})
  }
}

/** Parses a whole document into its root element, or throws XmlSyntaxError. */
export function parseXml(text: string): XmlElement {
  const reader = new Reader(text)
  for (;;) {
    if (reader.open.length > 0) {
      reader.textUntilMarkup()
      reader.markup()
      continue
    }

    // Outside the root: whitespace, comments and PIs only, and one element.
    reader.at = reader.skipWhitespace()
    if (reader.at >= text.length) break
    if (reader.skipMisc()) continue
    if (reader.root) throw new XmlSyntaxError('content after the root element', reader.at)
    if (text[reader.at] !== '<') throw new XmlSyntaxError('text outside the root element', reader.at)
    reader.markup()
  }

  if (!reader.root) throw new XmlSyntaxError('no root element', reader.at)
  return reader.root
}

/** The first descendant reached by `path` (each step a child's local name), if any. */
export function childAt(element: undefined | XmlElement, ...path: string[]): undefined | XmlElement {
  let current = element
  for (const name of path) current = current?.children.find(c => c.name === name)
  return current
}
