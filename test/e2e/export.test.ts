import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {promisify} from 'node:util'

import {getMoto} from '../support/peers.js'
import {
  BIN, DEFAULT_CREDENTIALS, Sandbox, SERIAL,
} from '../support/sandbox.js'

const execFileP = promisify(execFile)
/** Every character a hand-edited secret could hold that a shell or PowerShell might trip over. */
const AWKWARD = String.raw`a'b"c$d` + '`e' + String.raw`\f!g h;i|j&k*?[]{}~#%<>(),=` + "'"
const FUTURE = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z')

describe('export and credential-process', () => {
  let box: Sandbox

  beforeEach(async () => {
    box = await Sandbox.create(`${DEFAULT_CREDENTIALS}\n[default-mfa]\naws_access_key_id = ASIAEXPORT\naws_secret_access_key = ${AWKWARD}\naws_session_token = tok/en+${AWKWARD}==\nexpiration = ${FUTURE}\n`)
  })

  afterEach(() => box.cleanup())

  it('prints env lines that bash evaluates back to every character of the secrets', async () => {
    for (const format of ['env', 'env-no-export']) {
      const result = await box.run(['export', '--format', format])
      assert.equal(result.code, 0, result.stderr)
      const script = String.raw`eval "$EXPORTED"; printf "%s\n" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION"; case "$(declare -p AWS_SECRET_ACCESS_KEY)" in "declare -x"*) echo 1;; *) echo 0;; esac`
      const {stdout} = await execFileP('bash', ['-c', script], {env: {EXPORTED: result.stdout, PATH: process.env.PATH}})
      const [id, secret, token, expiration, exported] = stdout.split('\n')
      assert.deepEqual([id, secret, token, expiration], ['ASIAEXPORT', AWKWARD, `tok/en+${AWKWARD}==`, FUTURE], format)
      assert.equal(exported, format === 'env' ? '1' : '0', `${format}: exported or not`)
    }
  })

  it('prints PowerShell assignments and credential_process JSON', async () => {
    const ps = await box.run(['export', '--format', 'powershell'])
    const line = ps.stdout.split('\n').find(l => l.startsWith('$Env:AWS_SECRET_ACCESS_KEY='))!
    // PowerShell single-quoted strings: only ' is special, written twice.
    assert.equal(line.slice("$Env:AWS_SECRET_ACCESS_KEY='".length, -1).replaceAll("''", "'"), AWKWARD)
    assert.ok(!/[^']'[^']/.test(line.slice("$Env:AWS_SECRET_ACCESS_KEY='".length, -1)), 'a lone quote would end the string')
    const json = JSON.parse((await box.run(['export', '--format', 'json'])).stdout)
    assert.deepEqual(json, {
      AccessKeyId: 'ASIAEXPORT', Expiration: FUTURE, SecretAccessKey: AWKWARD, SessionToken: `tok/en+${AWKWARD}==`, Version: 1,
    })
  })

  it('refuses expired or missing credentials with a hint, printing nothing on stdout', async () => {
    await fs.writeFile(box.credentialsFile, `${DEFAULT_CREDENTIALS}\n[default-mfa]\naws_access_key_id = A\naws_secret_access_key = B\naws_session_token = C\nexpiration = 2020-01-01T00:00:00Z\n`)
    const expired = await box.run(['export'])
    assert.equal(expired.code, 6)
    assert.equal(expired.stdout, '')
    assert.match(expired.stderr, /\[default-mfa\] have expired[\s\S]*mfa-creds refresh-once -p default/)
    const missing = await box.run(['export', '-p', 'work'])
    assert.equal(missing.code, 6)
    assert.match(missing.stderr, /no session credentials in \[work-mfa\]/)
  })

  it('lets the AWS CLI refresh on demand through credential_process', async () => {
    const moto = await getMoto()
    await fs.writeFile(box.credentialsFile, DEFAULT_CREDENTIALS)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n\n[profile viaproc]\ncredential_process = "${process.execPath}" "${BIN}" credential-process -p default\n`)
    const env = {...box.env({AWS_ENDPOINT_URL: moto.url}), AWS_CONFIG_FILE: box.configFile, AWS_SHARED_CREDENTIALS_FILE: box.credentialsFile}
    const call = () => execFileP('aws', ['sts', 'get-caller-identity', '--profile', 'viaproc', '--region', 'us-east-1', '--endpoint-url', moto.url, '--output', 'json'], {env})
    assert.match(JSON.parse((await call()).stdout).Account, /^\d{12}$/)
    assert.equal((await box.askpassCalls()).length, 1)
    assert.match(await box.readCredentials(), /\[default-mfa\]/)
    await call()
    assert.equal((await box.askpassCalls()).length, 1, 'asked again although the credentials were fresh')

    const direct = await box.run(['credential-process', '-p', 'default'], {AWS_ENDPOINT_URL: moto.url})
    const json = JSON.parse(direct.stdout)
    assert.deepEqual(Object.keys(json).sort(), ['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version'])
    assert.equal(direct.stderr, '')
  })
})
