import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {botocoreCreds, StsStub, waitFor} from '../support/peers.js'
import {
  collect, LONG_TERM, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

/** Keys only the command knows: none of them is in any file of the sandbox. */
const COMMAND_KEYS = {accessKeyId: 'AKIACOMMANDSOURCE001', secretAccessKey: 'cmd/Source+Secret0000000000000000000000'}
const SESSION = {accessKeyId: 'ASIACOMMANDSESSION01', secretAccessKey: 'session/Secret+FromStub000000000000000000', sessionToken: 'FwoGZXIvYXdzEOT//////////session+token+from+the+stub=='}

/**
 * A password manager stand-in: logs its argv (one line per word), then prints what MODE says:
 * the keys as credential_process JSON, or a failure of some kind.
 */
const KEYS_COMMAND = `#!/bin/sh
for word in "$@"; do printf '%s\\n' "$word"; done >> "$KEYS_LOG"
echo "--" >> "$KEYS_LOG"
mode="\${KEYS_MODE:-ok}"
if [ -n "$KEYS_MODE_FILE" ] && [ -s "$KEYS_MODE_FILE" ]; then mode=$(cat "$KEYS_MODE_FILE"); fi
case "$mode" in
  ok) printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}\\n' "${COMMAND_KEYS.accessKeyId}" "${COMMAND_KEYS.secretAccessKey}" ;;
  session) printf '{"Version": 1, "AccessKeyId": "ASIAX", "SecretAccessKey": "${COMMAND_KEYS.secretAccessKey}", "SessionToken": "tok"}\\n' ;;
  garbage) printf 'secret=%s not json\\n' "${COMMAND_KEYS.secretAccessKey}" ;;
  fail) echo "vault is locked" >&2; exit 3 ;;
esac
`

function assertNoKeySecret(result: RunResult, what: string): void {
  for (const secret of [COMMAND_KEYS.secretAccessKey, LONG_TERM.secretAccessKey]) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${what}: a secret appeared in the output:\n${result.stdout}\n${result.stderr}`)
  }
}

describe('credential sources: long-term keys from outside the credentials file', () => {
  let box: Sandbox
  let stub: StsStub
  let command: string
  let log: string

  beforeEach(async () => {
    // No credentials file at all: the keys live elsewhere, and the session goes into a new file.
    box = await Sandbox.create(null)
    stub = await StsStub.start(StsStub.success(SESSION))
    command = path.join(box.root, 'keys command.sh')
    log = path.join(box.root, 'keys.log')
    await fs.writeFile(command, KEYS_COMMAND, {mode: 0o755})
    await fs.writeFile(box.configFile, [
      `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = command\nmfa_creds_source_command = "${command}" item 'aws alice'\n`,
    ].join('\n'))
  })

  afterEach(async () => {
    await stub.stop()
    await box.cleanup()
  })

  const run = (args: string[], env: Record<string, string> = {}) => box.run(args, {AWS_ENDPOINT_URL: stub.url, KEYS_LOG: log, ...env})

  it('refresh-once signs with the keys the command prints; botocore reads [default-mfa]; no key lands in the file', async () => {
    const result = await run(['refresh-once'])
    assert.equal(result.code, 0, result.stderr)
    assertNoKeySecret(result, 'refresh-once')
    assert.equal(stub.requests.length, 1)
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${COMMAND_KEYS.accessKeyId}/`), 'signed with the command\'s keys')
    assert.deepEqual(await botocoreCreds(box.credentialsFile, 'default-mfa'), {
      access_key: SESSION.accessKeyId, method: 'shared-credentials-file', secret_key: SESSION.secretAccessKey, token: SESSION.sessionToken,
    })
    const file = await box.readCredentials()
    assert.ok(!file.includes(COMMAND_KEYS.accessKeyId) && !file.includes(COMMAND_KEYS.secretAccessKey), file)
    // Split as a shell would, and run without one: the quoted words arrive whole.
    assert.deepEqual((await fs.readFile(log, 'utf8')).split('\n'), ['item', 'aws alice', '--', ''])
  })

  it('the keys are in no child\'s environment or argv: not the askpass window\'s, not mfa-creds\' own', async () => {
    // While the code is asked for, the keys are in mfa-creds' memory: look where a child could see them.
    const {env, seen} = await box.peekingAskpass()
    const result = await run(['refresh-once'], env)
    assert.equal(result.code, 0, result.stderr)
    const text = await fs.readFile(seen, 'utf8')
    assert.match(text, /refresh-once/, 'the peek saw mfa-creds\' own command line')
    for (const secret of [COMMAND_KEYS.secretAccessKey, COMMAND_KEYS.accessKeyId]) assert.ok(!text.includes(secret), `${secret} is visible to a child:\n${text}`)
  })

  it('credential-process and --source/--source-option on the command line work the same way', async () => {
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n`)
    const result = await run(['credential-process', '--source', 'command', '--source-option', `command='${command}'`])
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.equal(json.AccessKeyId, SESSION.accessKeyId)
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${COMMAND_KEYS.accessKeyId}/`))
    assert.ok(!result.stderr.includes(COMMAND_KEYS.secretAccessKey))
  })

  it('watch asks the source each cycle and keeps [default-mfa] fresh', async function () {
    this.timeout(90_000)
    const child = box.start(['watch'], {AWS_ENDPOINT_URL: stub.url, KEYS_LOG: log})
    const done = collect(child)
    try {
      await waitFor(async () => ((await fs.readFile(box.credentialsFile, 'utf8').catch(() => '')).includes('[default-mfa]') ? true : undefined), 60_000, 'a refresh by watch')
    } finally {
      child.kill('SIGTERM')
    }

    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assertNoKeySecret(result, 'watch')
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${COMMAND_KEYS.accessKeyId}/`))
  })

  it('watch outlives a source that fails after a good start (a vault locked overnight): it says so, retries, and goes on', async function () {
    this.timeout(120_000)
    const modeFile = path.join(box.root, 'mode')
    // As STS does: credentials that last as long as asked for (900 s, due after 4 s here).
    stub.fallback = form => StsStub.success({...SESSION, expiration: new Date(Date.now() + (Number(form.DurationSeconds) * 1000))})
    const child = box.start(['watch', '--duration', '900', '--refresh-lead-time', '896'], {AWS_ENDPOINT_URL: stub.url, KEYS_LOG: log, KEYS_MODE_FILE: modeFile})
    let stderr = ''
    child.stderr!.on('data', chunk => {
      stderr += chunk
    })
    const done = collect(child)
    try {
      await waitFor(() => (/refreshed: valid until/.test(stderr) ? true : undefined), 60_000, `a first refresh:\n${stderr}`)
      await fs.writeFile(modeFile, 'fail')
      await waitFor(() => (/the credential command .* exited 3: vault is locked/.test(stderr) ? true : undefined), 60_000, `the failure, said:\n${stderr}`)
      const refreshes = (stderr.match(/refreshed: valid until/g) ?? []).length
      await fs.writeFile(modeFile, 'ok')
      await waitFor(() => ((stderr.match(/refreshed: valid until/g) ?? []).length > refreshes ? true : undefined), 90_000, `a refresh once the vault is open again:\n${stderr}`)
      assert.equal(child.exitCode, null, 'watch ended')
    } finally {
      child.kill('SIGTERM')
    }

    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assertNoKeySecret(result, 'watch')
  })

  for (const [mode, said] of [
    ['fail', /the credential command .*keys command\.sh exited 3: vault is locked/],
    ['garbage', /did not print JSON \(what it printed is not shown: it may hold a secret\)/],
    ['session', /printed session credentials \(a SessionToken\)/],
  ] as const) {
    it(`a command that ${mode === 'fail' ? 'fails' : `prints ${mode}`}: exit 6 before any code is asked for, nothing written, no secret shown`, async () => {
      const result = await run(['refresh-once'], {KEYS_MODE: mode})
      assert.equal(result.code, 6, result.stderr)
      assert.match(result.stderr, said)
      assertNoKeySecret(result, mode)
      assert.deepEqual(await box.askpassCalls(), [], 'asked for a code')
      assert.equal(stub.requests.length, 0)
      await assert.rejects(fs.stat(box.credentialsFile), 'the credentials file was made')
    })
  }

  it('refuses a source that does not exist, or options it does not take, before anything else', async () => {
    const unknown = await run(['refresh-once', '--source', 'vault'])
    assert.equal(unknown.code, 2, unknown.stderr)
    assert.match(unknown.stderr, /unknown credential source "vault"/)
    assert.match(unknown.stderr, /command \(mfa-creds\)/)
    assert.match(unknown.stderr, /credentials-file \(mfa-creds\)/)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = command\n`)
    const missing = await run(['refresh-once'])
    assert.equal(missing.code, 6, missing.stderr)
    assert.match(missing.stderr, /the option command is required/)
    const unclosed = await run(['refresh-once', '--source', 'command', '--source-option', 'command=op "read'])
    assert.equal(unclosed.code, 2, unclosed.stderr)
    assert.match(unclosed.stderr, /not a command line/)
    const absent = await run(['refresh-once', '--source-option', `command=${path.join(box.root, 'nowhere')}`])
    assert.equal(absent.code, 6, absent.stderr)
    assert.match(absent.stderr, /cannot run the credential command .*nowhere: no such program/)
    // A program that cannot be started at all (a symlink loop): the same kind of error, not an internal one.
    const loop = path.join(box.root, 'loop')
    await fs.symlink(loop, loop)
    const looped = await run(['refresh-once', '--source-option', `command=${loop}`])
    assert.equal(looped.code, 6, looped.stderr)
    assert.match(looped.stderr, /cannot run the credential command .*loop: .*ELOOP|too many/i)
    assert.doesNotMatch(looped.stderr, /internal error/)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(stub.requests.length, 0)
  })

  it('a role profile takes the source of its source_profile', async () => {
    await fs.writeFile(box.configFile, [
      `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = command\nmfa_creds_source_command = '${command}'\n`,
      '[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\nmfa_creds_session = false\n',
    ].join('\n'))
    stub.fallback = StsStub.success(SESSION, 'AssumeRole')
    const result = await run(['refresh-once', '-p', 'admin'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${COMMAND_KEYS.accessKeyId}/`))
    assert.equal(stub.requests[0].form.Action, 'AssumeRole')
  })
})
