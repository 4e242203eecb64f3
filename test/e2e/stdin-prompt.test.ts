/**
 * --prompt stdin: the code is the next line of standard input (CI and scripts), never a command
 * line argument; what cannot be a code, no input and a terminal end with exit 3, nothing sent.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'

import {StsStub} from '../support/peers.js'
import {
  BIN, collect, RunResult, sandboxWithStub, SERIAL,
} from '../support/sandbox.js'

const REFRESH = ['refresh-once', '--force', '--prompt', 'stdin', '--mfa-serial-number', SERIAL]

describe('--prompt stdin', () => {
  const fixture = sandboxWithStub()

  /** refresh-once with `input` on its standard input (undefined: an open pipe nothing is written to). */
  async function refresh(input: string | undefined, args: string[] = []): Promise<RunResult> {
    const {box, stub} = fixture
    const child = spawn(process.execPath, [BIN, ...REFRESH, ...args], {
      cwd: box.root, env: box.env({AWS_ENDPOINT_URL: stub.url}), stdio: ['pipe', 'pipe', 'pipe'],
    })
    if (input !== undefined) child.stdin!.end(input)
    const result = await collect(child)
    child.stdin!.destroy()
    return result
  }

  it('sends the code piped in, trimmed, and writes the session credentials', async () => {
    const before = await fixture.box.readCredentials()
    const result = await refresh(' 246810 \r\n')
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(fixture.stub.requests.map(r => r.form.TokenCode), ['246810'])
    assert.match(await fixture.box.readCredentials(), /\[default-mfa\]\naws_access_key_id = /)
    assert.ok((await fixture.box.readCredentials()).startsWith(before))
    assert.ok(!`${result.stdout}${result.stderr}`.includes('246810'), 'the code was shown')
  })

  it('takes a last line without its line ending', async () => {
    const result = await refresh('135790')
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(fixture.stub.requests.map(r => r.form.TokenCode), ['135790'])
  })

  it('ends with exit 3, nothing sent and the file as it was, for no input, no code, a silent pipe', async () => {
    const before = await fixture.box.readCredentials()
    const cases: Array<{args?: string[]; input: string | undefined; stderr: RegExp}> = [
      {input: '', stderr: /standard input ended without an MFA code\n {2}pipe the code in, one per line/},
      {input: 'not a code\n', stderr: /must be six digits; nothing was sent/},
      {input: `${'1'.repeat(300)}\n`, stderr: /must be six digits|more than 256 characters/},
      {args: ['--prompt-timeout', '2'], input: undefined, stderr: /no MFA code came on standard input within 2 s/},
    ]
    for (const {args, input, stderr} of cases) {
      const result = await refresh(input, args)
      assert.equal(result.code, 3, `${JSON.stringify(input)}: ${result.stderr}`)
      assert.match(result.stderr, stderr)
    }

    assert.deepEqual(fixture.stub.requests, [])
    assert.equal(await fixture.box.readCredentials(), before)
  })

  it('does not read another line when STS rejects the code: exit 4, one request', async () => {
    fixture.stub.push(StsStub.error(403, 'AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.'))
    const result = await refresh('111111\n222222\n')
    assert.equal(result.code, 4, result.stderr)
    assert.deepEqual(fixture.stub.requests.map(r => r.form.TokenCode), ['111111'])
  })

  it('refuses a terminal as standard input (tty asks with echo off), before anything is sent', async () => {
    const {box, stub} = fixture
    // script(1) gives the command a pseudo-terminal as its standard input.
    const command = [process.execPath, BIN, ...REFRESH].map(a => `'${a}'`).join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: box.root, env: box.env({AWS_ENDPOINT_URL: stub.url}), stdio: ['pipe', 'pipe', 'pipe'],
    })
    const result = await collect(child)
    assert.equal(result.code, 3, result.stdout + result.stderr)
    assert.match(result.stdout + result.stderr, /standard input is a terminal\r?\n {2}type it with --prompt tty/)
    assert.deepEqual(stub.requests, [])
  })
})
