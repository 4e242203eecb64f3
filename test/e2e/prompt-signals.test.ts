import assert from 'node:assert/strict'
import {ChildProcess} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {
  botocoreCreds, PythonLockHolder, StsStub, waitFor,
} from '../support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

/** Alive, and not a zombie waiting to be reaped. */
async function alive(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
}

/** The CLI's end, or a failure naming what it said when it does not end in time. */
async function endWithin(child: ChildProcess, done: Promise<RunResult>, ms: number): Promise<RunResult> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the CLI (pid ${child.pid}) had not ended after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([done, late])
  } finally {
    clearTimeout(timer)
  }
}

const TEMP_FILE = /\.mfa-creds\..*\.tmp$/

describe('prompt programs and signals', () => {
  let box: Sandbox
  let stub: StsStub
  let pids: string
  const started: ChildProcess[] = []

  beforeEach(async () => {
    box = await Sandbox.create()
    stub = await StsStub.start()
    pids = path.join(box.root, 'pids')
    await fs.mkdir(pids)
  })

  afterEach(async () => {
    // Whatever a failing test left running.
    for (const name of await fs.readdir(pids).catch(() => [] as string[])) {
      const text = await fs.readFile(path.join(pids, name), 'utf8')
      // An empty pid file would read as 0, and kill(0) is our own process group: only whole lines.
      if (!/^\d+\n$/.test(text) || Number(text) <= 1) continue
      const pid = Number(text)
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }

    for (const child of started.splice(0)) {
      if (!child.pid) continue
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }

    await stub.stop()
    await box.cleanup()
  })

  /** An askpass as zenity and kdialog wrappers are written: a shell that runs its window without exec. */
  const wrapperAskpass = async () => {
    const script = path.join(box.root, 'wrapper-askpass.sh')
    await fs.writeFile(script, `#!/bin/sh
echo $$ > "${pids}/shell"
sleep 1000 &
echo $! > "${pids}/window"
wait
`, {mode: 0o755})
    return script
  }

  /** A pid once its line is whole (echo writes it with its newline): never a half-written number. */
  const pidOf = (name: string) => waitFor(async () => {
    const text = await fs.readFile(path.join(pids, name), 'utf8').catch(() => '')
    return /^\d+\n$/.test(text) ? Number(text) : undefined
  }, 20_000, `the askpass to record its ${name} pid`)
  const tempFiles = async () => (await fs.readdir(box.aws)).filter(f => TEMP_FILE.test(f))

  const start = (args: string[], env: Record<string, string | undefined> = {}) => {
    const child = box.start(args, {AWS_ENDPOINT_URL: stub.url, ...env})
    started.push(child)
    return {child, done: collect(child)}
  }

  it('--prompt-timeout ends an askpass whose child holds its output open: exit 3, and the child is gone', async () => {
    const {child, done} = start(['refresh-once', '--mfa-serial-number', SERIAL, '--prompt-timeout', '1'], {SSH_ASKPASS: await wrapperAskpass()})
    const window = await pidOf('window')
    const result = await endWithin(child, done, 30_000)
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /no MFA code was entered within 1 s/)
    await waitFor(async () => !(await alive(window)) || undefined, 10_000, 'the askpass\'s child to be gone')
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })

  for (const [command, signal, status] of [['refresh-once', 'SIGTERM', 143], ['credential-process', 'SIGINT', 130]] as const) {
    it(`${signal} to ${command} while the askpass is up: exit ${status}, quietly, the askpass and its child gone`, async () => {
      const {child, done} = start([command, '--mfa-serial-number', SERIAL], {SSH_ASKPASS: await wrapperAskpass()})
      const shell = await pidOf('shell')
      const window = await pidOf('window')
      child.kill(signal)
      const result = await endWithin(child, done, 30_000)
      assert.equal(result.code, status, result.stderr)
      assert.doesNotMatch(result.stderr, /error|stopped|cancelled/i)
      assert.equal(result.stdout, '')
      await waitFor(async () => (!(await alive(shell)) && !(await alive(window))) || undefined, 10_000, 'the askpass and its child to be gone')
      assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
      assert.equal(stub.requests.length, 0)
    })
  }

  it('SIGTERM just before the rename: the write completes, exit 143, botocore reads the new credentials, no temp file', async () => {
    const {child, done} = start(['refresh-once', '--mfa-serial-number', SERIAL], {MFA_CREDS_TEST_PAUSE_BEFORE_RENAME_MS: '4000'})
    await waitFor(async () => (await tempFiles()).length > 0 || undefined, 30_000, 'the temp file of the write')
    child.kill('SIGTERM')
    const result = await endWithin(child, done, 30_000)
    assert.equal(result.code, 143, result.stderr)
    assert.doesNotMatch(result.stderr, /error/i)
    assert.deepEqual(await tempFiles(), [])
    const creds = await botocoreCreds(box.credentialsFile, 'default-mfa')
    assert.equal(creds?.token, 'FwoGZXIvYXdzEStubSessionToken+/abc==')
    assert.ok((await box.readCredentials()).startsWith(DEFAULT_CREDENTIALS))
  })

  it('SIGTERM while the write waits for the lock another process holds (python lockf): exit 143, the file unchanged, no temp file', async () => {
    const askpass = path.join(box.root, 'gated-askpass.sh')
    const go = path.join(box.root, 'go')
    await fs.writeFile(askpass, `#!/bin/sh\necho $$ > "${pids}/shell"\nwhile [ ! -e "${go}" ]; do sleep 0.05; done\necho 123456\n`, {mode: 0o755})
    const {child, done} = start(['refresh-once', '--mfa-serial-number', SERIAL], {SSH_ASKPASS: askpass})
    let stderr = ''
    child.stderr!.on('data', c => {
      stderr += c
    })
    // The prompt is up, so the read before it is done: now another tool takes the lock.
    await pidOf('shell')
    const holder = await PythonLockHolder.hold(box.lockFile, 'lockf')
    try {
      await fs.writeFile(go, '')
      await waitFor(() => stderr.includes('Waiting for the credentials file lock') || undefined, 30_000, 'the write to wait for the lock')
      assert.equal(stub.requests.length, 1, 'STS was called before the write')
      child.kill('SIGTERM')
      const result = await endWithin(child, done, 30_000)
      assert.equal(result.code, 143, result.stderr)
      assert.deepEqual(await tempFiles(), [])
      assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
    } finally {
      await holder.release()
    }
  })

  it('an askpass that fails says why: the first line of its stderr, shortened, in the cancel message; never its stdout', async () => {
    const askpass = path.join(box.root, 'x11-askpass.sh')
    await fs.writeFile(askpass, `#!/bin/sh
printf '654321\\n'
printf '\\n  Can'"'"'t open display: :9  \\nsecond line\\n' >&2
exit 1
`, {mode: 0o755})
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url, SSH_ASKPASS: askpass})
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /the MFA prompt was cancelled \(\S*x11-askpass\.sh exited 1: Can't open display: :9\)/)
    assert.doesNotMatch(result.stderr, /second line|654321/)

    const long = path.join(box.root, 'long-askpass.sh')
    await fs.writeFile(long, '#!/bin/sh\nprintf \'Gtk-WARNING: %0300d\\033[31m\\n\' 0 >&2\nexit 1\n', {mode: 0o755})
    const shortened = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url, SSH_ASKPASS: long})
    assert.equal(shortened.code, 3, shortened.stderr)
    const said = /exited 1: (Gtk-WARNING: 0+)/.exec(shortened.stderr)?.[1]
    assert.ok(said && said.length >= 100 && said.length <= 201, `not shortened to about 200 characters:\n${shortened.stderr}`)
    assert.ok(!shortened.stderr.includes('\u001B'), 'control codes of the askpass reached our stderr')

    const quiet = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], {ASKPASS_EXIT: '1', AWS_ENDPOINT_URL: stub.url})
    assert.equal(quiet.code, 3, quiet.stderr)
    assert.match(quiet.stderr, /the MFA prompt was cancelled \(\S*askpass\.sh exited 1\)/)
    assert.equal(stub.requests.length, 0)
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })

  it('auto with no terminal, no display and no ssh-askpass says only that there is no way to ask (no "Asking ... with none.")', async () => {
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], {
      AWS_ENDPOINT_URL: stub.url, DISPLAY: undefined, PATH: '/nonexistent', SSH_ASKPASS: undefined, SSH_ASKPASS_REQUIRE: undefined,
    })
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /no way to ask for the MFA code: there is no terminal, no display \(DISPLAY or WAYLAND_DISPLAY\) and no ssh-askpass to run/)
    assert.doesNotMatch(result.stderr, /Asking/)
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 2, result.stderr)
  })
})
