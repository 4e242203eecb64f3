/*
 * The key-removal edit (removeSectionKeys) against a whole re-read of its result, on thousands of
 * generated files (indented headers and keys, continuations, nested blocks, comments, DEFAULT
 * blocks, every line ending), and for a sample by botocore itself: the keys are gone, the section
 * goes only when nothing else is left in it, and every other profile and byte is as before.
 */
import assert from 'node:assert/strict'

import {InternalError} from '../../../src/core/errors.js'
import {removeSectionKeys} from '../../../src/core/ini/edit.js'
import {
  findSection, IniSyntaxError, readIni, sectionView,
} from '../../../src/core/ini/parse.js'
import {IniFileSnapshot} from '../../../src/core/ini/snapshot.js'
import {
  assertBotocoreReads, generate, random, snapshot,
} from '../../support/ini-generator.js'

const KEYS = ['aws_access_key_id', 'aws_secret_access_key']

interface Case {
  after: string
  before: string
  seed: number
  target: string
}

function cases(count: number, firstSeed: number): {done: Case[]; refused: number; sectionsGone: number} {
  const done: Case[] = []
  let refused = 0
  let sectionsGone = 0
  for (let seed = firstSeed; done.length < count; seed++) {
    const next = random(seed)
    let snap: IniFileSnapshot
    try {
      snap = snapshot(generate(next))
    } catch (error) {
      if (error instanceof IniSyntaxError) continue
      throw error
    }

    const {text: before} = snap
    const withKeys = snap.doc.sections.filter(s => s.options.some(o => KEYS.includes(o.name)))
    if (withKeys.length === 0) continue
    const target = withKeys[Math.floor(next() * withKeys.length)].name
    const context = `seed ${seed}, target [${target}], file ${JSON.stringify(before)}`
    let after: string | undefined
    try {
      after = removeSectionKeys(snap, target, KEYS)
    } catch (error) {
      assert.ok(error instanceof InternalError, `${context}: ${error}`)
      refused++
      continue
    }

    assert.ok(after !== undefined, `${context}: nothing removed`)
    const whole = readIni(after)
    const section = findSection(whole.doc, target)
    if (section) {
      const own = sectionView(findSection(snap.doc, target)!, [])
      for (const key of KEYS) delete own[key]
      assert.deepEqual(sectionView(section, []), own, `${context}: the other keys of the target changed`)
    } else {
      sectionsGone++
      assert.equal(findSection(snap.doc, target)!.options.length <= 2, true, `${context}: a section with other keys went`)
    }

    for (const [name, options] of Object.entries(snap.view)) if (name !== target) assert.deepEqual(whole.view[name], options, `${context}: [${name}] changed`)
    assert.deepEqual(Object.keys(whole.view).filter(n => n !== target).sort(), Object.keys(snap.view).filter(n => n !== target).sort(), `${context}: sections appeared or vanished`)
    const old = findSection(snap.doc, target)!
    const head = before.slice(0, snap.doc.starts[old.header])
    const tail = before.slice(snap.doc.starts[old.end])
    assert.ok(after.startsWith(head) && after.endsWith(tail), `${context}: bytes outside the section changed`)
    done.push({
      after, before, seed, target,
    })
  }

  return {done, refused, sectionsGone}
}

describe('ini/edit: removing keys, proven by a whole re-read', () => {
  it('on 3,000 generated files the keys go, and nothing else changes', () => {
    const {done, refused, sectionsGone} = cases(3000, 1)
    assert.ok(refused < 30, `${refused} refusals`)
    assert.ok(sectionsGone > 100, `only ${sectionsGone} emptied sections removed`)
    assert.ok(done.filter(c => c.before.includes('\r')).length > 800)
  })

  it('botocore reads 150 of those removals exactly as our reader does', async () => {
    const {done: sample} = cases(150, 200_000)
    await assertBotocoreReads(sample)
  })

  it('removes the keys and their continuation lines, keeping the rest of the section byte for byte', () => {
    const before = '[a]\r\nk = v\r\n\r\n[p]\r\n# mine\r\nAWS_ACCESS_KEY_ID = AKIA\r\nregion = x\r\naws_secret_access_key = s\r\n  more\r\n[b]\r\nk = w'
    assert.equal(removeSectionKeys(snapshot(before), 'p', KEYS), '[a]\r\nk = v\r\n\r\n[p]\r\n# mine\r\nregion = x\r\n[b]\r\nk = w')
  })

  it('removes a section left with nothing in it; keeps one that still has a comment', () => {
    assert.equal(removeSectionKeys(snapshot('[a]\nk = v\n\n[p]\naws_access_key_id = A\naws_secret_access_key = s\n\n[b]\nk = w\n'), 'p', KEYS), '[a]\nk = v\n\n[b]\nk = w\n')
    assert.equal(removeSectionKeys(snapshot('[p]\naws_access_key_id = A\naws_secret_access_key = s'), 'p', KEYS), '')
    assert.equal(removeSectionKeys(snapshot('[p]\n# work\naws_access_key_id = A\naws_secret_access_key = s\n'), 'p', KEYS), '[p]\n# work\n')
    assert.equal(removeSectionKeys(snapshot('[a]\nk = v\n[p]\nregion = x\naws_access_key_id = A'), 'p', KEYS), '[a]\nk = v\n[p]\nregion = x')
  })

  it('keeps the empty header where dropping it would make an indented header continue a value', () => {
    const before = '[a]\nk = v\n[p]\n  aws_access_key_id = A\n  [b]\nx = 1\n'
    const after = removeSectionKeys(snapshot(before), 'p', KEYS)!
    assert.equal(after, '[a]\nk = v\n[p]\n  [b]\nx = 1\n')
    assert.deepEqual(readIni(after).view.b, {x: '1'})
  })

  it('leaves a section without the keys alone (undefined: nothing to write)', () => {
    assert.equal(removeSectionKeys(snapshot('[p]\nregion = x\n'), 'p', KEYS), undefined)
    assert.equal(removeSectionKeys(snapshot('[q]\naws_access_key_id = A\n'), 'p', KEYS), undefined)
  })
})
