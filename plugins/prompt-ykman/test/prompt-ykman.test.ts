import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {botocoreCreds, getMoto} from '../../../test/support/peers.js'
import {DEFAULT_CREDENTIALS, pluginSandbox, SERIAL} from '../../../test/support/sandbox.js'

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ARGS = ['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', 'ykman']

describe('plugin mfa-creds-prompt-ykman', () => {
  const t = pluginSandbox(PLUGIN, {ykman: 'fake-ykman.sh'}, async box => ({AWS_ENDPOINT_URL: (await getMoto()).url, FAKE_YK_LOG: path.join(box.root, 'ykman.log')}))

  it('refreshes with the code of the OATH account, and asks for a touch when the key wants one', async () => {
    const result = await t.box.run([...ARGS, '--prompt-option', 'account=AWS:alice'], {...t.env, FAKE_YK: 'touch'})
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await fs.readFile(t.env.FAKE_YK_LOG, 'utf8')).trim(), 'oath accounts code --single AWS:alice')
    assert.match(result.stderr, /Touch your YubiKey to give the MFA code for default\./)
    assert.ok((await botocoreCreds(t.box.credentialsFile, 'default-mfa'))?.token)
    assert.ok(!result.stderr.includes('770011') && !result.stdout.includes('770011'))
  })

  it('says so when no key is plugged in, the account is unknown, or the option is missing', async () => {
    const absent = await t.box.run([...ARGS, '--prompt-option', 'account=AWS:alice'], {...t.env, FAKE_YK: 'absent'})
    assert.equal(absent.code, 3)
    assert.match(absent.stderr, /ykman: no YubiKey is connected[\s\S]*insert the key/)
    const unknown = await t.box.run([...ARGS, '--prompt-option', 'account=AWS:bob'], t.env)
    assert.equal(unknown.code, 3)
    assert.match(unknown.stderr, /ykman exited 1: No matching account found/)
    const missing = await t.box.run(ARGS, t.env)
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /the option account is required/)
    assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})
