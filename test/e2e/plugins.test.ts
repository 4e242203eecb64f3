import assert from 'node:assert/strict'
import path from 'node:path'

import {ROOT} from '../support/peers.js'
import {Sandbox, SERIAL} from '../support/sandbox.js'

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'plugins')

describe('plugins: the prompt-provider extension point', () => {
  let box: Sandbox
  let env: Record<string, string>

  beforeEach(async () => {
    box = await Sandbox.create()
    env = {MFA_CREDS_DATA_DIR: path.join(box.root, 'data')}
  })

  afterEach(() => box.cleanup())

  it('lists the built-in providers, registered through the same hooks', async () => {
    const result = await box.run(['providers', '--json'], env)
    assert.equal(result.code, 0, result.stderr)
    const {promptProviders} = JSON.parse(result.stdout)
    assert.deepEqual(promptProviders.map((p: {name: string; plugin: string}) => [p.name, p.plugin]), [['ssh-askpass', 'mfa-creds'], ['tty', 'mfa-creds']])
  })

  it('refuses two plugins offering one name, naming both', async () => {
    assert.equal((await box.run(['plugins', 'link', path.join(FIXTURES, 'dup-tty')], env)).code, 0)
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], env)
    assert.equal(result.code, 6)
    assert.match(result.stderr, /two plugins offer the prompt provider "tty": mfa-creds and mfa-creds-fixture-dup-tty|two plugins offer the prompt provider "tty": mfa-creds-fixture-dup-tty and mfa-creds/)
    assert.deepEqual(await box.askpassCalls(), [])
  })

  it('reports a plugin whose hook fails, by name, instead of swallowing it', async () => {
    assert.equal((await box.run(['plugins', 'link', path.join(FIXTURES, 'broken')], env)).code, 0)
    const result = await box.run(['providers'], env)
    assert.equal(result.code, 6)
    assert.match(result.stderr, /the plugin mfa-creds-fixture-broken failed in its prompt provider hook: the vault is sealed/)
  })
})
