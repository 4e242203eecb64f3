import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'

import {StsStub, waitFor} from '../support/peers.js'
import {
  collect, LONG_TERM, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

const CODE = '918273'
const SESSION = {accessKeyId: 'ASIAPLANTEDPLANTED01', secretAccessKey: 'planted/Session+Secret0000000000000000000', sessionToken: 'FwoGZXIvYXdzPlantedSessionToken+/xyz0123456789=='}
const OLD = {secret: 'old/Session+Secret1111111111111111111111', token: 'FwoGZXIvYXdzOldPlantedToken+/abc9876543210=='}
const SECRETS = [LONG_TERM.secretAccessKey, SESSION.secretAccessKey, SESSION.sessionToken, OLD.secret, OLD.token, CODE]

/** No planted secret, nor a long piece of one, in what a command printed. */
function assertNoSecrets(what: string, ...texts: string[]): void {
  for (const text of texts) {
    for (const secret of SECRETS) {
      const pieces = secret.length > 16 ? [secret, secret.slice(0, 16), secret.slice(-16)] : [secret]
      for (const piece of pieces) assert.ok(!text.includes(piece), `${what} printed ${JSON.stringify(piece)}, part of a secret, in:\n${text.slice(Math.max(0, text.indexOf(piece) - 1500), text.indexOf(piece) + 200)}`)
    }
  }
}

describe('secrets: every command, with debug output on, prints none', () => {
  let box: Sandbox
  let stub: StsStub
  const DEBUG = {DEBUG: '*', MFA_CREDS_DEBUG: '1', NODE_DEBUG: ''}

  beforeEach(async () => {
    box = await Sandbox.create()
    stub = await StsStub.start(StsStub.success(SESSION))
    await box.setCodes(...Array.from({length: 40}, () => CODE))
    const future = new Date(Date.now() + 7_200_000).toISOString().replace(/\.\d+Z$/, 'Z')
    await fs.appendFile(box.credentialsFile, `\n[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = ${LONG_TERM.secretAccessKey}\n\n[other-mfa]\naws_access_key_id = ASIAOLD\naws_secret_access_key = ${OLD.secret}\naws_session_token = ${OLD.token}\nexpiration = ${future}\n`)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n\n[profile other]\nmfa_serial = ${SERIAL}\n`)
  })

  afterEach(async () => {
    await stub.stop()
    await box.cleanup()
  })

  const run = (args: string[]) => box.run(args, {AWS_ENDPOINT_URL: stub.url, ...DEBUG})

  it('refresh-once (text and --json), and its failures', async () => {
    for (const args of [['refresh-once'], ['refresh-once', '--force', '--json'], ['refresh-once', '-p', 'other']]) {
      const result = await run(args)
      assert.equal(result.code, 0, result.stderr)
      assertNoSecrets(args.join(' '), result.stdout, result.stderr)
    }

    for (const failure of [
      StsStub.error(403, 'AccessDenied', `MultiFactorAuthentication failed with invalid MFA one time pass code ${CODE} for key ${LONG_TERM.secretAccessKey}`),
      StsStub.error(400, 'SignatureDoesNotMatch', `The request signature we calculated does not match: ${LONG_TERM.secretAccessKey}`),
      StsStub.error(500, 'InternalFailure', `internal ${CODE}`),
    ]) {
      stub.fallback = failure
      for (const args of [['refresh-once', '--force'], ['refresh-once', '--force', '--json']]) {
        const result = await run(args)
        assert.notEqual(result.code, 0)
        assertNoSecrets(`${args.join(' ')} failing`, result.stdout, result.stderr)
      }
    }
  })

  it('watch, in text and JSON logs', async () => {
    for (const format of ['text', 'json']) {
      const child = box.start(['watch', '--log-format', format, '--target-profile', `watch-${format}`], {AWS_ENDPOINT_URL: stub.url, ...DEBUG})
      const done = collect(child)
      await waitFor(async () => ((await box.readCredentials()).includes(`[watch-${format}]`) ? true : undefined), 20_000, 'a refresh by watch')
      child.kill('SIGTERM')
      const result: RunResult = await done
      assert.equal(result.code, 0, result.stderr)
      assertNoSecrets(`watch --log-format ${format}`, result.stdout, result.stderr)
      stub.requests.length = 0
    }
  })

  it('exec and exec --server, and their failures: the session reaches COMMAND only (and with --server not even COMMAND\'s environment)', async () => {
    const printEnv = ['sh', '-c', String.raw`env | grep -v "^AWS_\(SECRET_ACCESS_KEY\|SESSION_TOKEN\)="`]
    for (const args of [['exec', '--', ...printEnv], ['exec', '--server', '--', 'env'], ['exec', '--', 'no-such-program'], ['exec', '--server', '--refresh-lead-time', '999999', '--', 'true']]) {
      const result = await run(args)
      assertNoSecrets(args.join(' '), result.stdout, result.stderr)
    }

    stub.fallback = StsStub.error(403, 'AccessDenied', `MultiFactorAuthentication failed with invalid MFA one time pass code ${CODE} for key ${LONG_TERM.secretAccessKey}`)
    const failed = await run(['exec', '--target-profile', 'exec-fails', '--', 'true'])
    assert.equal(failed.code, 4, failed.stderr)
    assertNoSecrets('exec, STS refusing', failed.stdout, failed.stderr)
  })

  it('status, lock, providers, service print, help; export and credential-process only on stdout', async () => {
    await run(['refresh-once'])
    for (const args of [['status'], ['status', '--json'], ['lock', '--', 'true'], ['providers'], ['service', 'print'], ['--help'], ['setup']]) {
      const result = await run(args)
      assertNoSecrets(args.join(' '), result.stdout, result.stderr)
    }

    for (const args of [['export'], ['export', '--format', 'json'], ['credential-process']]) {
      const result = await run(args)
      assert.equal(result.code, 0, result.stderr)
      assert.ok(result.stdout.includes(SESSION.secretAccessKey), `${args.join(' ')} prints the credentials it was asked for`)
      assertNoSecrets(`${args.join(' ')} (stderr)`, result.stderr)
    }
  })
})
