/**
 * Coming from aws-mfa-credentials: its bin with its four flags (a watch that asks through
 * ssh-askpass with its prompt text and exits on the first error), a hint when its flags are given
 * to mfa-creds without a command, and `auto` still finding an ssh-askpass with no terminal and no
 * display, as it did.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import path from 'node:path'

import {
  ROOT, StsStub, waitFor,
} from '../support/peers.js'
import {collect, sandboxWithStub, SERIAL} from '../support/sandbox.js'

const DROP_IN = path.join(ROOT, 'bin', 'aws-mfa-credentials.js')

describe('coming from aws-mfa-credentials', () => {
  const fixture = sandboxWithStub()

  function dropIn(args: string[], env: Record<string, string | undefined> = {}) {
    const {box, stub} = fixture
    return spawn(process.execPath, [DROP_IN, ...args], {
      cwd: box.root, detached: true, env: box.env({
        AWS_ENDPOINT_URL: stub.url, DISPLAY: undefined, SSH_ASKPASS_REQUIRE: undefined, ...env,
      }), stdio: ['ignore', 'pipe', 'pipe'],
    })
  }

  it('aws-mfa-credentials watches with its four flags, asking through ssh-askpass with its prompt text', async () => {
    const {box, stub} = fixture
    const child = dropIn(['--mfa-serial-number', SERIAL, '--profile', 'default', '--duration', '3600', '--refresh-lead-time=120'])
    const ended = collect(child)
    await waitFor(async () => (await box.readCredentials()).includes('[default-mfa]') || undefined, 30_000, '[default-mfa] to be written')
    process.kill(-child.pid!, 'SIGTERM')
    const result = await ended
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(await box.askpassCalls(), [`Enter MFA token for default from device ${SERIAL}`])
    assert.equal(stub.requests[0].form.DurationSeconds, '3600')
    assert.match(result.stderr, /watching \[default-mfa\]/)
  })

  it('exits on the first error, as aws-mfa-credentials did (no retries)', async () => {
    const {stub} = fixture
    stub.fallback = StsStub.error(503, 'ServiceUnavailable', 'down')
    const result = await collect(dropIn(['--mfa-serial-number', SERIAL]))
    assert.equal(result.code, 5, result.stderr)
    assert.ok(stub.requests.length <= 3, 'one refresh, its own retries only')
  })

  it('refuses any other flag, and a flag without its value, with its usage (exit 2)', async () => {
    for (const args of [['--bogus'], ['--profile'], ['watch'], ['--profile', 'a', '--profile=work']]) {
      const result = await collect(dropIn(args))
      assert.equal(result.code, 2, args.join(' '))
      assert.match(result.stderr, /^aws-mfa-credentials: .*\nUsage: aws-mfa-credentials \[--mfa-serial-number SERIAL\]/)
    }

    const help = await collect(dropIn(['--help']))
    assert.deepEqual([help.code, help.stdout.startsWith('Usage: aws-mfa-credentials')], [0, true])
  })

  it('mfa-creds with its flags and no command says to run watch, through either path', async () => {
    for (const fast of ['1', '0']) {
      const result = await fixture.box.run(['--mfa-serial-number', SERIAL, '--duration', '900'], {MFA_CREDS_FAST: fast})
      assert.equal(result.code, 2, result.stderr)
      assert.equal(result.stderr, `mfa-creds: a command comes first: to keep [PROFILE-mfa] fresh as aws-mfa-credentials did, run: mfa-creds watch --mfa-serial-number ${SERIAL} --duration 900\n`
        + `  or aws-mfa-credentials --mfa-serial-number ${SERIAL} --duration 900, which takes its flags as they were\n`)
      const unknown = await fixture.box.run(['bogus'], {MFA_CREDS_FAST: fast})
      assert.equal(unknown.code, 2)
      assert.match(unknown.stderr, /command bogus not found/)
    }
  })

  it('auto with no terminal and no display still asks an ssh-askpass it can run', async () => {
    const {box} = fixture
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], {
      AWS_ENDPOINT_URL: fixture.stub.url, DISPLAY: undefined, SSH_ASKPASS_REQUIRE: undefined,
    })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /with ssh-askpass/)
    assert.equal((await box.askpassCalls()).length, 1)
  })
})
