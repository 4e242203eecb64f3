/*
 * The editor proves each edit by parsing only the edited section and the header after it (see
 * editCredentials). These tests hold that proof against the full one: thousands of generated
 * files (indented headers and keys, continuations, nested blocks, comments, DEFAULT blocks, every
 * line ending), each edited and then read again whole, by our reader and, for a sample, by botocore.
 */
import assert from 'node:assert/strict'

import {ConfigError} from '../../../src/core/errors.js'
import {editCredentials, SectionValues, setSectionValues} from '../../../src/core/ini/edit.js'
import {
  findSection, IniSyntaxError, readIni,
} from '../../../src/core/ini/parse.js'
import {IniFileSnapshot} from '../../../src/core/ini/snapshot.js'
import {
  assertBotocoreReads, generate, random, snapshot,
} from '../../support/ini-generator.js'

const VALUES: SectionValues = [
  ['aws_access_key_id', 'ASIAPROOF'],
  ['aws_secret_access_key', 'proof/secret+key'],
  ['aws_session_token', 'proof+token=='],
  ['expiration', '2026-11-24T06:21:04Z'],
]

interface Case {
  after: string
  before: string
  seed: number
  target: string
}

/** Edits generated files; every edit is checked against a whole re-read of its result. */
function cases(count: number, firstSeed: number, refused: number[] = []): Case[] {
  const done: Case[] = []
  for (let seed = firstSeed; done.length < count; seed++) {
    const next = random(seed)
    const before = generate(next)
    let snap: IniFileSnapshot
    try {
      snap = snapshot(before)
    } catch (error) {
      if (error instanceof IniSyntaxError) continue
      throw error
    }

    const names = snap.doc.sections.map(s => s.name)
    const target = next() < 0.3 || names.length === 0 ? 'new-mfa' : names[Math.floor(next() * names.length)]
    const values = VALUES.slice(0, 1 + Math.floor(next() * VALUES.length))
    const context = `seed ${seed}, target [${target}], file ${JSON.stringify(before)}`
    let after: string
    try {
      after = editCredentials(snap, target, values)
    } catch (error) {
      // The one refusal of a readable file: a nested DEFAULT value botocore cannot parse, which
      // no section inherited until now. botocore must then refuse the edit. Nothing else may be refused.
      assert.ok(error instanceof ConfigError, `${context}: refused: ${error}`)
      assert.throws(() => readIni(setSectionValues(snap.doc, target, values)), IniSyntaxError, context)
      refused.push(seed)
      continue
    }

    let whole: ReturnType<typeof readIni>['view']
    try {
      whole = readIni(after).view
    } catch (error) {
      assert.fail(`${context}: the result cannot be read whole: ${error}\n${JSON.stringify(after)}`)
    }

    for (const [key, value] of values) assert.equal(whole[target]?.[key], value, `${context}: ${key} does not read back`)
    const written = new Set(values.map(([key]) => key))
    for (const [name, options] of Object.entries(snap.view)) {
      if (name !== target) {
        assert.deepEqual(whole[name], options, `${context}: [${name}] changed`)
        continue
      }

      for (const [key, value] of Object.entries(options)) if (!written.has(key)) assert.deepEqual(whole[target][key], value, `${context}: ${key} of the target changed`)
    }

    assert.deepEqual(Object.keys(whole).sort(), [...new Set([target, ...Object.keys(snap.view)])].sort(), `${context}: sections appeared or vanished`)
    // Bytes outside the target section are the old ones.
    const section = findSection(snap.doc, target)
    if (section) {
      const head = before.slice(0, snap.doc.starts[section.header])
      const tail = before.slice(snap.doc.starts[section.end])
      assert.ok(after.startsWith(head) && after.endsWith(tail), `${context}: bytes outside the section changed`)
    } else {
      assert.ok(after.startsWith(before.replace(/[\r\n]+$/, '')), `${context}: the old text is not kept`)
    }

    done.push({
      after, before, seed, target,
    })
  }

  return done
}

describe('ini/edit: the edit proof that parses only the edited section', () => {
  it('agrees with a whole re-read on 3,000 generated files: the target reads back, nothing else changes', () => {
    const refused: number[] = []
    const all = cases(3000, 1, refused)
    assert.ok(refused.length < 60, `${refused.length} refusals of 3,000`)
    // The generator reaches the cases the proof rests on.
    const tricky = all.filter(c => /\n[ \t]+\[/.test(c.before.replaceAll('\r', '\n')) && /\n[ \t]+\w/.test(c.before.replaceAll('\r', '\n')))
    assert.ok(tricky.length > 300, `only ${tricky.length} files with indented headers and keys`)
    assert.ok(all.filter(c => c.before.includes('\r')).length > 1000)
  })

  it('botocore reads 150 of those edits exactly as our reader does', async () => {
    const sample = cases(150, 100_000)
    await assertBotocoreReads(sample)
  })

  it('keeps an indented header after a section without keys a header', () => {
    const before = '[t]\n# nothing yet\n  [u]\nk = v\n'
    const after = editCredentials(snapshot(before), 't', VALUES.slice(0, 1))
    assert.equal(after, '[t]\n  aws_access_key_id = ASIAPROOF\n# nothing yet\n  [u]\nk = v\n')
    assert.deepEqual(readIni(after).view.u, {k: 'v'})
  })

  it('refuses, naming the line, a new profile that would inherit a DEFAULT value botocore cannot parse', () => {
    const before = '[DEFAULT]\nregion =\n  not a key value line\n'
    assert.throws(() => editCredentials(snapshot(before), 'dev-mfa', VALUES), (error: unknown) => error instanceof ConfigError
      && /would make botocore refuse/.test(error.message) && /line 2/.test(error.message) && /line 2/.test(error.hint ?? ''))
  })
})
