import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

import {getMoto} from '../../../test/support/peers.js'
import {DEFAULT_CREDENTIALS, pluginSandbox, SERIAL} from '../../../test/support/sandbox.js'

const execFileP = promisify(execFile)
const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

describe('plugin mfa-creds-writer-env-file', () => {
  const t = pluginSandbox(PLUGIN, {}, async () => ({AWS_ENDPOINT_URL: (await getMoto()).url}))

  it('writes export lines that a shell reads back as the keys STS returned, and leaves the credentials file alone', async () => {
    const file = path.join(t.box.root, 'aws.env')
    const args = ['refresh-once', '--mfa-serial-number', SERIAL, '--writer', 'env-file', '--writer-option', `path=${file}`]
    const result = await t.box.run(args, t.env)
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600)
    const {stdout} = await execFileP('bash', ['-c', `. '${file}'; printf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION"`])
    const keys = await (await getMoto()).sessionKeys()
    const [id, secret, token, expiration] = stdout.trim().split('\n')
    assert.deepEqual([id, secret, token], [keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken])
    assert.match(expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)

    const again = await t.box.run(args, t.env)
    assert.equal(again.code, 0)
    assert.match(again.stdout, /still valid/)
    assert.equal((await t.box.askpassCalls()).length, 1)
    assert.deepEqual((await fs.readdir(t.box.root)).filter(f => f.endsWith('.tmp')), [])
  })

  it('takes its settings from ~/.aws/config, and refuses a missing path before asking', async () => {
    await fs.writeFile(t.box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_writer = env-file\nmfa_creds_writer_path = ~/default-mfa.env\n`)
    const result = await t.box.run(['refresh-once'], t.env)
    assert.equal(result.code, 0, result.stderr)
    assert.match(await fs.readFile(path.join(t.box.home, 'default-mfa.env'), 'utf8'), /^export AWS_SESSION_TOKEN='/m)
    const missing = await t.box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--writer', 'env-file', '--writer-option', 'path='], t.env)
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /the option path is required/)
    const noDir = await t.box.run(['refresh-once', '--force', '--writer-option', `path=${path.join(t.box.root, 'no', 'such', 'dir', 'x.env')}`], t.env)
    assert.equal(noDir.code, 6)
    assert.match(noDir.stderr, /cannot use .*x\.env: ENOENT/)
  })
})
