import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {botocoreCreds, getMoto} from '../../../test/support/peers.js'
import {DEFAULT_CREDENTIALS, Sandbox, SERIAL} from '../../../test/support/sandbox.js'

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

describe('plugin mfa-creds-prompt-1password', () => {
  let box: Sandbox
  let env: Record<string, string>
  let opLog: string

  beforeEach(async () => {
    box = await Sandbox.create()
    const bin = path.join(box.root, 'bin')
    await fs.mkdir(bin)
    await fs.copyFile(path.join(PLUGIN, 'test', 'fake-op.sh'), path.join(bin, 'op'))
    await fs.chmod(path.join(bin, 'op'), 0o755)
    opLog = path.join(box.root, 'op.log')
    env = {
      AWS_ENDPOINT_URL: (await getMoto()).url, FAKE_OP_LOG: opLog, MFA_CREDS_DATA_DIR: path.join(box.root, 'data'), PATH: `${bin}:${process.env.PATH}`,
    }
    const linked = await box.run(['plugins', 'link', PLUGIN], env)
    assert.equal(linked.code, 0, linked.stderr)
  })

  afterEach(() => box.cleanup())

  it('refreshes with the code op reads from the item', async () => {
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=AWS', '--prompt-option', 'vault=Work'], env)
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await fs.readFile(opLog, 'utf8')).trim(), 'item get AWS --otp --vault Work')
    assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
    assert.ok(!result.stdout.includes('482913') && !result.stderr.includes('482913'))
  })

  it('takes its settings from ~/.aws/config too', async () => {
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_prompt = 1password\nmfa_creds_prompt_item = AWS\nmfa_creds_prompt_account = my.1password.com\n`)
    const result = await box.run(['refresh-once'], env)
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await fs.readFile(opLog, 'utf8')).trim(), 'item get AWS --otp --account my.1password.com')
  })

  it('says so when op is not signed in, is missing, or does not know the item; the file stays as it was', async () => {
    const signedOut = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=AWS'], {...env, FAKE_OP_STATE: 'signed-out'})
    assert.equal(signedOut.code, 3)
    assert.match(signedOut.stderr, /1password: the 1Password CLI is not signed in[\s\S]*op signin/)
    const unknown = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=Nope'], env)
    assert.equal(unknown.code, 3)
    assert.match(unknown.stderr, /op exited 1: "Nope" isn't an item/)
    const missing = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=AWS'], {...env, PATH: '/usr/bin:/bin'})
    assert.equal(missing.code, 3)
    assert.match(missing.stderr, /the 1Password CLI \(op\) is not installed/)
    const noItem = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password'], env)
    assert.equal(noItem.code, 2)
    assert.match(noItem.stderr, /the option item is required/)
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})
