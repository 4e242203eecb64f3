import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {botocoreCreds, StsStub} from '../../../test/support/peers.js'
import {DEFAULT_CREDENTIALS, Sandbox, SERIAL} from '../../../test/support/sandbox.js'

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

describe('plugin mfa-creds-prompt-command', () => {
  let box: Sandbox
  let stub: StsStub
  let env: Record<string, string>

  beforeEach(async () => {
    box = await Sandbox.create()
    stub = await StsStub.start()
    env = {AWS_ENDPOINT_URL: stub.url, MFA_CREDS_DATA_DIR: path.join(box.root, 'data'), SSH_ASKPASS_REQUIRE: ''}
  })

  afterEach(async () => {
    await stub.stop()
    await box.cleanup()
  })

  it('once linked, gets the code from the configured command, from flags or from ~/.aws/config', async () => {
    const linked = await box.run(['plugins', 'link', PLUGIN], env)
    assert.equal(linked.code, 0, linked.stderr)
    const providers = await box.run(['providers'], env)
    assert.match(providers.stdout, /^command\s+mfa-creds-prompt-command\s+runs a command/m)

    const flags = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', 'command', '--prompt-option', String.raw`command=printf "%s\n" 654321`], env)
    assert.equal(flags.code, 0, flags.stderr)
    assert.equal(stub.requests.at(-1)!.form.TokenCode, '654321')
    assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
    assert.ok(!flags.stderr.includes('654321') && !flags.stdout.includes('654321'), 'the code was printed')

    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_prompt = command\nmfa_creds_prompt_command = echo 135792\n`)
    const config = await box.run(['refresh-once', '--force'], env)
    assert.equal(config.code, 0, config.stderr)
    assert.equal(stub.requests.at(-1)!.form.TokenCode, '135792')
    assert.deepEqual(await box.askpassCalls(), [], 'ssh-askpass was asked instead of the command')
  })

  it('checks its options before anything is asked, and reports a failing command', async () => {
    await box.run(['plugins', 'link', PLUGIN], env)
    const missing = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', 'command'], env)
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /the option command is required/)
    const unknown = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', 'command', '--prompt-option', 'command=true', '--prompt-option', 'colour=red'], env)
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /unknown option colour/)
    const failing = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', 'command', '--prompt-option', 'command=echo vault locked >&2; exit 4'], env)
    assert.equal(failing.code, 3)
    assert.match(failing.stderr, /command: the code command exited 4: vault locked/)
    assert.equal(stub.requests.length, 0)
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})
