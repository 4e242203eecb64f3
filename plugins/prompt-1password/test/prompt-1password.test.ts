import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {botocoreCreds, getMoto} from '../../../test/support/peers.js'
import {DEFAULT_CREDENTIALS, pluginSandbox, SERIAL} from '../../../test/support/sandbox.js'

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

describe('plugin mfa-creds-prompt-1password', () => {
  const t = pluginSandbox(PLUGIN, {op: 'fake-op.sh'}, async box => ({AWS_ENDPOINT_URL: (await getMoto()).url, FAKE_OP_LOG: path.join(box.root, 'op.log')}))

  it('refreshes with the code op reads from the item', async () => {
    const result = await t.box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=AWS', '--prompt-option', 'vault=Work'], t.env)
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await fs.readFile(t.env.FAKE_OP_LOG, 'utf8')).trim(), 'item get AWS --otp --vault Work')
    assert.ok((await botocoreCreds(t.box.credentialsFile, 'default-mfa'))?.token)
    assert.ok(!result.stdout.includes('482913') && !result.stderr.includes('482913'))
  })

  it('takes its settings from ~/.aws/config too', async () => {
    await fs.writeFile(t.box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_prompt = 1password\nmfa_creds_prompt_item = AWS\nmfa_creds_prompt_account = my.1password.com\n`)
    const result = await t.box.run(['refresh-once'], t.env)
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await fs.readFile(t.env.FAKE_OP_LOG, 'utf8')).trim(), 'item get AWS --otp --account my.1password.com')
  })

  it('says so when op is not signed in, is missing, or does not know the item; the file stays as it was', async () => {
    const signedOut = await t.box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=AWS'], {...t.env, FAKE_OP_STATE: 'signed-out'})
    assert.equal(signedOut.code, 3)
    assert.match(signedOut.stderr, /1password: the 1Password CLI is not signed in[\s\S]*op signin/)
    const unknown = await t.box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=Nope'], t.env)
    assert.equal(unknown.code, 3)
    assert.match(unknown.stderr, /op exited 1: "Nope" isn't an item/)
    const missing = await t.box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password', '--prompt-option', 'item=AWS'], {...t.env, PATH: '/usr/bin:/bin'})
    assert.equal(missing.code, 3)
    assert.match(missing.stderr, /the 1Password CLI \(op\) is not installed/)
    const noItem = await t.box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', '1password'], t.env)
    assert.equal(noItem.code, 2)
    assert.match(noItem.stderr, /the option item is required/)
    assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})
