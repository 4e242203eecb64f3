import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {botocoreCreds, StsStub, waitFor} from '../../../test/support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, RunResult, Sandbox, SERIAL,
} from '../../../test/support/sandbox.js'

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Alive, and not a zombie waiting to be reaped. */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
}

/** The CLI's end, or a failure when it has not ended within ms. */
async function endWithin(done: Promise<RunResult>, ms: number, what: string): Promise<RunResult> {
  let result: RunResult | undefined
  done.then(r => {
    result = r
  })
  return waitFor(() => result, ms, what)
}

describe('plugin mfa-creds-prompt-command', () => {
  let box: Sandbox
  let stub: StsStub
  let env: Record<string, string>

  beforeEach(async () => {
    box = await Sandbox.create()
    stub = await StsStub.start()
    env = {AWS_ENDPOINT_URL: stub.url, MFA_CREDS_DATA_DIR: path.join(box.root, 'data'), SSH_ASKPASS_REQUIRE: ''}
  })

  const leftovers: number[] = []

  afterEach(async () => {
    // What a failing test left running.
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }

    await stub.stop()
    await box.cleanup()
  })

  it('once linked, gets the code from the configured command, from flags or from ~/.aws/config', async () => {
    const linked = await box.link(PLUGIN, env)
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
    await box.link(PLUGIN, env)
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

  it('--prompt-timeout ends the command and what it started: a child holding its output open does not keep it waiting', async () => {
    await box.link(PLUGIN, env)
    const pidFile = path.join(box.root, 'grandchild')
    const command = `command=sleep 1000 & echo $! > '${pidFile}'; wait`
    const child = box.start(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', 'command', '--prompt-timeout', '1', '--prompt-option', command], env)
    const done = collect(child)
    const grandchild = await waitFor(async () => Number(await fs.readFile(pidFile, 'utf8').catch(() => '')) || undefined, 20_000, 'the command to record its child')
    leftovers.push(grandchild)
    const ended = await endWithin(done, 20_000, `the CLI (pid ${child.pid}) to end after the 1 s prompt timeout`)
    assert.equal(ended.code, 3, ended.stderr)
    assert.match(ended.stderr, /the code command printed no code within 1 s/)
    await waitFor(async () => !(await alive(grandchild)) || undefined, 10_000, 'the command\'s child to be gone')
    assert.equal(stub.requests.length, 0)
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })

  it('takes the code of a command that leaves a child holding its output open, without waiting for the prompt timeout', async () => {
    await box.link(PLUGIN, env)
    const pidFile = path.join(box.root, 'grandchild')
    const command = `command=sleep 1000 & echo $! > '${pidFile}'; echo 975310`
    const child = box.start(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt', 'command', '--prompt-timeout', '300', '--prompt-option', command], env)
    const done = collect(child)
    const grandchild = await waitFor(async () => Number(await fs.readFile(pidFile, 'utf8').catch(() => '')) || undefined, 20_000, 'the command to record its child')
    leftovers.push(grandchild)
    const ended = await endWithin(done, 30_000, `the CLI (pid ${child.pid}) to end once the command had printed its code`)
    assert.equal(ended.code, 0, ended.stderr)
    assert.equal(stub.requests.at(-1)!.form.TokenCode, '975310')
    assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
    await waitFor(async () => !(await alive(grandchild)) || undefined, 10_000, 'the command\'s child to be gone')
  })
})
