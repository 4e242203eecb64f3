import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'

import {CORPUS} from '../fixtures/corpus.js'
import {botocoreView, StsStub} from '../support/peers.js'
import {Sandbox, SERIAL} from '../support/sandbox.js'

const TARGET = 'default-mfa'
const STUB = {
  accessKeyId: 'ASIACORPUSCORPUS0001',
  expiration: new Date('2099-01-02T03:04:05.678Z'),
  secretAccessKey: 'corpus/Secret+Key=0000000000000000000000',
  sessionToken: 'IQoJb3JpZ2luX2VjE+/corpus/token==',
}

/** The text outside [TARGET]: before its header, and from the next header on (headers are never indented in the corpus). */
function outside(text: string): undefined | {after: string; before: string} {
  const lines = text.split(/(?<=\r\n|\r(?!\n)|\n)/)
  const start = lines.findIndex(l => /^\[default-mfa\]/.test(l))
  if (start === -1) return undefined
  let end = lines.findIndex((l, i) => i > start && l.startsWith('['))
  if (end === -1) end = lines.length
  return {after: lines.slice(end).join(''), before: lines.slice(0, start).join('')}
}

describe('refresh-once on a corpus of tricky credentials files', () => {
  let stub: StsStub

  before(async () => {
    stub = await StsStub.start(StsStub.success(STUB))
  })

  after(() => stub.stop())

  it(`preserves every byte outside the target and every other profile, in ${CORPUS.length} files`, async () => {
    assert.ok(CORPUS.length >= 20)
    const boxes = await Promise.all(CORPUS.map(file => Sandbox.create(file.text)))
    try {
      for (let i = 0; i < boxes.length; i += 6) {
        const batch = boxes.slice(i, i + 6).map(box => box.run(['refresh-once', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url}))
        for (const [j, result] of (await Promise.all(batch)).entries()) assert.equal(result.code, 0, `${CORPUS[i + j].name}: ${result.stderr}`)
      }

      const originals = await Promise.all(CORPUS.map(async (file, i) => {
        const path = `${boxes[i].root}/original`
        await fs.writeFile(path, file.text)
        return path
      }))
      const before = await botocoreView(...originals)
      const after = await botocoreView(...boxes.map(b => b.credentialsFile))
      for (const [i, file] of CORPUS.entries()) {
        const {name} = file
        assert.ok(before[i].view && after[i].view, `${name}: botocore could not read it: ${after[i].error}`)
        const target = after[i].view![TARGET]
        const others = (view: Record<string, unknown>) => Object.fromEntries(Object.entries(view).filter(([section]) => section !== TARGET))
        assert.deepEqual(others(after[i].view!), others(before[i].view!), `${name}: another profile changed`)
        assert.equal(target.aws_access_key_id, STUB.accessKeyId, name)
        assert.equal(target.aws_secret_access_key, STUB.secretAccessKey, name)
        assert.equal(target.aws_session_token, STUB.sessionToken, name)
        assert.equal(target.expiration, '2099-01-02T03:04:05Z', name)
        if ('aws_security_token' in target) assert.equal(target.aws_security_token, STUB.sessionToken, `${name}: a stale legacy token would shadow ours`)

        const text = await boxes[i].readCredentials()
        const was = outside(file.text)
        if (was) {
          const now = outside(text)!
          assert.equal(now.before, was.before, `${name}: bytes before the target changed`)
          assert.equal(now.after, was.after, `${name}: bytes after the target changed`)
        } else {
          const base = /(\r\n|\r|\n)$/.test(file.text) || file.text === '' ? file.text : `${file.text}\n`
          assert.ok(text.startsWith(base), `${name}: the existing text is not kept as it was`)
          assert.match(text.slice(base.length), /^(\r?\n)?\[default-mfa\]\r?\n/, `${name}: the new section is not at the end after one blank line`)
        }
      }
    } finally {
      await Promise.all(boxes.map(b => b.cleanup()))
    }
  })
})
