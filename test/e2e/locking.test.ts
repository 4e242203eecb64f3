import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {
  botocoreView, getMoto, PythonLockHolder, SUPPORT, tryLock, waitFor,
} from '../support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, Sandbox, SERIAL,
} from '../support/sandbox.js'

const execFileP = promisify(execFile)
const BASE = ['refresh-once', '--mfa-serial-number', SERIAL]

describe('refresh-once with other processes', () => {
  let motoUrl: string
  let box: Sandbox

  before(async () => {
    motoUrl = (await getMoto()).url
  })

  beforeEach(async () => {
    box = await Sandbox.create()
  })

  afterEach(() => box.cleanup())

  for (const kind of ['lockf', 'flock'] as const) {
    it(`waits while python3 fcntl.${kind} holds the lock, then asks and writes`, async () => {
      await fs.writeFile(box.lockFile, '')
      const holder = await PythonLockHolder.hold(box.lockFile, kind)
      const child = box.start(BASE, {AWS_ENDPOINT_URL: motoUrl})
      const done = collect(child)
      await new Promise(resolve => {
        setTimeout(resolve, 1500)
      })
      assert.equal(child.exitCode, null, 'finished while the lock was held')
      assert.deepEqual(await box.askpassCalls(), [], 'asked for a code it could not write yet')
      assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
      await holder.release()
      const result = await done
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stderr, /Waiting for the credentials file lock; held by python3? \(pid \d+\)/)
      assert.equal((await box.askpassCalls()).length, 1)
      const [{view}] = await botocoreView(box.credentialsFile)
      assert.ok(view!['default-mfa'].aws_session_token)
    })

    it(`holds the write while python3 fcntl.${kind} takes the lock during the prompt`, async () => {
      const done = collect(box.start(BASE, {ASKPASS_SLEEP: '2', AWS_ENDPOINT_URL: motoUrl}))
      await waitFor(async () => (await box.askpassCalls()).length === 1 || undefined, 15_000, 'the prompt')
      const holder = await PythonLockHolder.hold(box.lockFile, kind)
      await new Promise(resolve => {
        setTimeout(resolve, 3000)
      })
      assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS, 'wrote while python held the lock')
      await holder.release()
      const result = await done
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stderr, /Waiting for the credentials file lock; held by python3? \(pid \d+\)/)
      assert.match(await box.readCredentials(), /\[default-mfa\]/)
    })
  }

  it('does not hold the lock while the prompt is open', async () => {
    const done = collect(box.start(BASE, {ASKPASS_SLEEP: '2', AWS_ENDPOINT_URL: motoUrl}))
    await waitFor(async () => (await box.askpassCalls()).length === 1 || undefined, 15_000, 'the prompt')
    await fs.writeFile(box.lockFile, '', {flag: 'a'})
    assert.equal(await tryLock(box.lockFile, 'lockf'), 'free')
    assert.equal(await tryLock(box.lockFile, 'flock'), 'free')
    assert.equal((await done).code, 0)
  })

  it('keeps credentials another process wrote during the prompt when they last longer, even with --force', async () => {
    const done = collect(box.start([...BASE, '--json', '--force', '--duration', '900'], {ASKPASS_SLEEP: '2', AWS_ENDPOINT_URL: motoUrl}))
    await waitFor(async () => (await box.askpassCalls()).length === 1 || undefined, 15_000, 'the prompt')
    const theirs = '\n[default-mfa]\naws_access_key_id = ASIATHEIRS\naws_secret_access_key = theirs\naws_session_token = theirs\nexpiration = 2099-01-01T00:00:00Z\n'
    await fs.appendFile(box.credentialsFile, theirs)
    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assert.equal(JSON.parse(result.stdout).action, 'kept-newer')
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS + theirs)
  })

  it('asks once when two instances refresh the same profile at the same time', async () => {
    const runs = [0, 1].map(() => collect(box.start([...BASE, '--json'], {ASKPASS_SLEEP: '1', AWS_ENDPOINT_URL: motoUrl})))
    const results = await Promise.all(runs)
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(results.map(r => JSON.parse(r.stdout).action).sort(), ['fresh', 'refreshed'])
    assert.equal((await box.askpassCalls()).length, 1)
    assert.ok(results.some(r => /Another mfa-creds is already asking for a code for \[default-mfa\]/.test(r.stderr)))
  })

  it('loses nothing with 16 concurrent refreshes of 16 profiles and a python writer', async () => {
    const profiles = Array.from({length: 16}, (_, i) => `p${i}`)
    let text = DEFAULT_CREDENTIALS
    for (const p of profiles) text += `\n[${p}]\naws_access_key_id = AKIA${p.toUpperCase()}\naws_secret_access_key = secret/${p}\n`
    await fs.writeFile(box.credentialsFile, text)
    const python = execFileP('python3', [path.join(SUPPORT, 'python_writer.py'), box.credentialsFile, box.lockFile, 'py', '20'])
    const results = await Promise.all(profiles.map(p => box.run([...BASE, '-p', p], {AWS_ENDPOINT_URL: motoUrl})))
    await python
    for (const r of results) assert.equal(r.code, 0, r.stderr)
    const [{error, view}] = await botocoreView(box.credentialsFile)
    assert.ok(view, error)
    for (const p of profiles) {
      assert.deepEqual(view![p], {aws_access_key_id: `AKIA${p.toUpperCase()}`, aws_secret_access_key: `secret/${p}`})
      assert.ok(view![`${p}-mfa`]?.aws_session_token, `[${p}-mfa] is missing`)
      assert.match(String(view![`${p}-mfa`].expiration), /Z$/)
    }

    for (let i = 0; i < 20; i++) assert.ok(view![`py-${i}`], `python's [py-${i}] was lost`)
    assert.equal((await box.askpassCalls()).length, 16)
    assert.deepEqual((await fs.readdir(box.aws)).filter(f => f.endsWith('.tmp')), [])
  })
})
