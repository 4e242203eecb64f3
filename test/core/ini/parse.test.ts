import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {decodeIniText, IniSyntaxError, readIni} from '../../../src/core/ini/parse.js'
import {CORPUS, PARITY_EXTRAS} from '../../fixtures/corpus.js'
import {botocoreView} from '../../support/peers.js'

/** What our reader says of bytes: the botocore view, or the error line. */
function ours(bytes: Buffer): {error?: true; line?: null | number; view?: unknown} {
  try {
    return {view: readIni(decodeIniText(bytes)).view}
  } catch (error) {
    if (error instanceof IniSyntaxError) return {error: true, line: error.line > 0 ? error.line : null}
    throw error
  }
}

describe('ini: reads every file exactly as botocore does', () => {
  const files = [
    ...CORPUS,
    ...PARITY_EXTRAS,
    {name: 'invalid UTF-8', text: ''},
  ]
  let dir: string
  let reference: Awaited<ReturnType<typeof botocoreView>>
  const bytes: Buffer[] = []

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-ini-'))
    for (const [i, file] of files.entries()) {
      const data = file.name === 'invalid UTF-8' ? Buffer.from([0x5B, 0x61, 0x5D, 0x0A, 0x6B, 0x3D, 0xFF, 0xFE, 0x0A]) : Buffer.from(file.text, 'utf8')
      bytes.push(data)
      await fs.writeFile(path.join(dir, String(i)), data)
    }

    reference = await botocoreView(...files.map((_, i) => path.join(dir, String(i))))
  })

  after(() => fs.rm(dir, {force: true, recursive: true}))

  it(`agrees with botocore on ${files.length} files, valid and invalid`, () => {
    assert.ok(files.length >= 40)
    for (const [i, file] of files.entries()) {
      const mine = ours(bytes[i])
      const theirs = reference[i]
      if (theirs.error) {
        assert.ok(mine.error, `${file.name}: botocore refuses it (${theirs.error}) but we read it`)
        if (theirs.line) assert.equal(mine.line, theirs.line, `${file.name}: error line`)
      } else {
        assert.ok(!mine.error, `${file.name}: botocore reads it but we refuse it`)
        assert.deepEqual(mine.view, theirs.view, `${file.name}: view differs`)
      }
    }
  })

  it('refuses a byte order mark, duplicate sections and keys, and garbage, naming the line', () => {
    const cases: Array<[string, number, RegExp]> = [
      ['\uFEFF[default]\n', 1, /starts with a UTF-8 byte order mark \(BOM\)/],
      ['[a]\n[b]\n[a]\n', 3, /section \[a\] appears twice/],
      ['[a]\nK = 1\nk = 2\n', 3, /key k appears twice/],
      ['[a]\nk = 1\nnot ini\n', 3, /not a \[section\] header/],
    ]
    for (const [text, line, message] of cases) {
      assert.throws(() => readIni(text), (error: unknown) => error instanceof IniSyntaxError && error.line === line && message.test(error.message))
    }
  })

  it('names a byte order mark (UTF-8, UTF-16, UTF-32), which botocore refuses, with how to save the file', async () => {
    const ini = '[default]\naws_access_key_id = A\n'
    const utf16be = Buffer.from(ini, 'utf16le').swap16()
    const cases: Array<[string, Buffer, RegExp]> = [
      ['UTF-8 BOM', Buffer.from(`\uFEFF${ini}`, 'utf8'), /the file starts with a UTF-8 byte order mark \(BOM\), which botocore does not accept; save it as UTF-8 without a BOM/],
      ['UTF-8, then a blank line', Buffer.from(`\uFEFF\n${ini}`, 'utf8'), /UTF-8 byte order mark \(BOM\)/],
      ['UTF-8, then a comment', Buffer.from(`\uFEFF# mine\n${ini}`, 'utf8'), /UTF-8 byte order mark \(BOM\)/],
      [
        'UTF-16 LE',
        Buffer.concat([Buffer.from([0xFF, 0xFE]), Buffer.from(ini, 'utf16le')]),
        /the file is UTF-16 text \(it starts with a UTF-16 LE byte order mark\); botocore reads UTF-8 only: save it as UTF-8 without a BOM/,
      ],
      ['UTF-16 BE', Buffer.concat([Buffer.from([0xFE, 0xFF]), utf16be]), /UTF-16 BE byte order mark/],
      [
        'UTF-32 LE',
        Buffer.concat([Buffer.from([0xFF, 0xFE, 0, 0]), Buffer.from([...ini].flatMap(c => [c.codePointAt(0)!, 0, 0, 0]))]),
        /the file is UTF-32 text \(it starts with a UTF-32 LE byte order mark\)/,
      ],
    ]
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-bom-'))
    try {
      const files = await Promise.all(cases.map(async ([, data], i) => {
        await fs.writeFile(path.join(dir, String(i)), data)
        return path.join(dir, String(i))
      }))
      const reference = await botocoreView(...files)
      for (const [i, [name, data, message]] of cases.entries()) {
        assert.ok(reference[i].error, `${name}: botocore reads it (${JSON.stringify(reference[i].view)}), so should we`)
        assert.throws(() => readIni(decodeIniText(data)), (error: unknown) => error instanceof IniSyntaxError && error.line === 1 && message.test(error.message), name)
      }
    } finally {
      await fs.rm(dir, {force: true, recursive: true})
    }

    // A U+FEFF anywhere but at the start is just a character of a value, as botocore reads it.
    assert.deepEqual(readIni(decodeIniText(Buffer.from('[a]\nk = x\uFEFFy\n', 'utf8'))).view, {a: {k: 'x\uFEFFy'}})
  })
})
