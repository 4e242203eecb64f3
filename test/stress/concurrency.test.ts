import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {
  botocoreView, StsStub, SUPPORT, waitFor,
} from '../support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, Sandbox, SERIAL,
} from '../support/sandbox.js'
import {scale} from '../support/stress.js'

const execFileP = promisify(execFile)

describe('stress: concurrent writers of one credentials file', () => {
  const processes = scale(12, 64)
  const rounds = scale(3, 5)
  const pythonRounds = scale(15, 60)
  const edits = scale(4, 16)

  it(`loses nothing: ${processes} watch processes refreshing their own profiles ${rounds} times, python lockf and flock writers, lock -- editors`, async function () {
    this.timeout(scale(180_000, 900_000))
    // STS: a wire-level stub, because moto cannot hand out sessions shorter than 15 minutes. Each
    // lasts 15 s and is refreshed 12 s early, so every watch refreshes about every 3 s.
    const stub = await StsStub.start(() => StsStub.success({expiration: new Date(Date.now() + 15_000)}))
    const {url} = stub
    const profiles = Array.from({length: processes}, (_, i) => `p${i}`)
    let text = DEFAULT_CREDENTIALS
    for (const p of profiles) text += `\n[${p}]\naws_access_key_id = AKIA${p.toUpperCase()}\naws_secret_access_key = secret/${p}\n`
    const box = await Sandbox.create(text)
    try {
      const started = Date.now()
      // Each process is a watch that refreshes about every 3 s, each time asking, calling STS and
      // writing under the lock; it is stopped after its ROUNDS-th write.
      const refreshes = profiles.map(async p => {
        const child = box.start(['watch', '-p', p, '--mfa-serial-number', SERIAL, '--refresh-lead-time', '12', '--log-format', 'json'], {AWS_ENDPOINT_URL: url})
        let log = ''
        child.stderr!.on('data', c => {
          log += c
        })
        const done = collect(child)
        const refreshes = () => log.split('\n').filter(line => line.startsWith('{') && JSON.parse(line).event === 'valid' && JSON.parse(line).action === 'refreshed').length
        await waitFor(() => (refreshes() >= rounds || child.exitCode !== null ? true : undefined), scale(120_000, 600_000), `${rounds} refreshes of ${p}`)
          .catch(error => assert.fail(`${error.message}:\n${log.slice(-3000)}`))
        assert.ok(refreshes() >= rounds, `${p} stopped after ${refreshes()} refreshes:\n${log.slice(-3000)}`)
        child.kill('SIGTERM')
        const result = await done
        assert.equal(result.code, 0, `${p}: ${result.stderr}`)
      })
      const writer = path.join(SUPPORT, 'python_writer.py')
      // lockf-only and flock-only writers exclude mfa-creds (which takes both) but not each other, so they take turns.
      const python = (async () => {
        await execFileP('python3', [writer, box.credentialsFile, box.lockFile, 'pylockf', String(pythonRounds), 'lockf'])
        await execFileP('python3', [writer, box.credentialsFile, box.lockFile, 'pyflock', String(pythonRounds), 'flock'])
      })()
      const editors = (async () => {
        for (let i = 0; i < edits; i++) {
          const result = await box.run(['lock', '--', 'python3', path.join(SUPPORT, 'lock_editor.py'), box.credentialsFile, `editor-${i}`])
          assert.equal(result.code, 0, result.stderr)
        }
      })()
      await Promise.all([...refreshes, python, editors])
      const seconds = (Date.now() - started) / 1000

      const [{error, view}] = await botocoreView(box.credentialsFile)
      assert.ok(view, `botocore cannot read the result: ${error}`)
      for (const p of profiles) {
        assert.deepEqual(view![p], {aws_access_key_id: `AKIA${p.toUpperCase()}`, aws_secret_access_key: `secret/${p}`}, `[${p}] changed`)
        assert.ok(view![`${p}-mfa`]?.aws_session_token, `[${p}-mfa] is missing`)
      }

      for (let i = 0; i < pythonRounds; i++) {
        assert.ok(view![`pylockf-${i}`], `the lockf writer's [pylockf-${i}] was lost`)
        assert.ok(view![`pyflock-${i}`], `the flock writer's [pyflock-${i}] was lost`)
      }

      for (let i = 0; i < edits; i++) assert.deepEqual(view![`editor-${i}`], {aws_access_key_id: 'AKIAEDITOR', region: 'eu-west-1'})
      const refreshed = (await box.askpassCalls()).length
      assert.ok(refreshed >= processes * rounds, `${refreshed} prompts for ${processes * rounds} refreshes`)
      assert.deepEqual((await fs.readdir(box.aws)).filter(f => f.endsWith('.tmp')), [])
      const writes = refreshed + (2 * pythonRounds) + edits
      console.log(`      ${writes} writes (${refreshed} refreshes) in ${seconds.toFixed(1)} s: ${(writes / seconds).toFixed(1)} writes/s`)
    } finally {
      await stub.stop()
      await box.cleanup()
    }
  })
})
