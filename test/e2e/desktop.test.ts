import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {ASKPASS_TITLE, childCommandLine, Display} from '../support/display.js'
import {
  botocoreCreds, getMoto, StsStub, waitFor,
} from '../support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

/** The askpass window; if the CLI ends first, why (rather than a bare time-out). */
async function windowOf(display: Display, cli: Promise<RunResult>, timeoutMs?: number): Promise<string[]> {
  const ended = cli.then(r => {
    throw new Error(`the CLI ended (exit ${r.code}) before a window appeared:\n${r.stderr}`)
  })
  ended.catch(() => {})
  return Promise.race([display.findWindows(ASKPASS_TITLE, timeoutMs), ended])
}

describe('ssh-askpass on a real display (Xvfb, Debian\'s x11-ssh-askpass, xdotool)', () => {
  let display: Display
  let box: Sandbox
  let url: string

  before(async () => {
    display = await Display.start()
  })

  after(() => display?.stop())

  let bin: string

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
    // A desktop where ssh-askpass is the only window installed (no zenity, no kdialog, which auto
    // would take first: test/e2e/windows.test.ts).
    bin = path.join(box.root, 'bin')
    await fs.mkdir(bin)
    await fs.symlink(await which('ssh-askpass'), path.join(bin, 'ssh-askpass'))
  })

  afterEach(() => box.cleanup())

  /** No --prompt, no terminal (detached), DISPLAY set, SSH_ASKPASS unset: the auto rules pick ssh-askpass from PATH. */
  const desktop = () => ({
    AWS_ENDPOINT_URL: url, DISPLAY: display.name, PATH: bin, SSH_ASKPASS: undefined, SSH_ASKPASS_REQUIRE: undefined,
  })

  it('refresh-once opens the window, naming the profile and device, and takes the code typed into it', async () => {
    const child = box.start(['refresh-once', '--mfa-serial-number', SERIAL], desktop())
    const done = collect(child)
    await windowOf(display, done)
    const argv = await childCommandLine(child.pid!, 'ssh-askpass')
    assert.deepEqual(argv.slice(1), [`Enter MFA token for default from device ${SERIAL}`])
    await display.type('246810')
    await display.key('Return')
    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /\[default-mfa\] refreshed/)
    assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
    assert.doesNotMatch(result.stdout + result.stderr, /246810/)
  })

  it('Escape in the window cancels: exit 3, the file as it was', async () => {
    const child = box.start(['refresh-once', '--mfa-serial-number', SERIAL], desktop())
    const done = collect(child)
    await windowOf(display, done)
    await display.type('12')
    await display.key('Escape')
    const result = await done
    assert.equal(result.code, 3, result.stderr)
    assert.match(result.stderr, /cancelled/)
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })

  it('watch asks through the window again for the next cycle', async () => {
    // Sessions of 15 minutes refreshed 892 s early: the second cycle is due some 8 s after the first
    // (with room for a slow first cycle: one that ends after the due time is put off half the session).
    const child = box.start(['watch', '--mfa-serial-number', SERIAL, '--duration', '900', '--refresh-lead-time', '892', '--log-format', 'json'], desktop())
    let log = ''
    child.stderr!.on('data', c => {
      log += c
    })
    const done = collect(child)
    const refreshed = () => (log.match(/"event":"valid"/g) ?? []).length
    for (const [cycle, code] of ['135790', '246801'].entries()) {
      const [window] = await windowOf(display, done, 40_000)
      await display.type(code)
      await display.key('Return')
      await display.gone(window)
      await waitFor(() => (refreshed() > cycle ? true : undefined), 20_000, `refresh ${cycle + 1}`)
    }

    child.kill('SIGTERM')
    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assert.ok(refreshed() >= 2, log)
    assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
  })
})

describe('--notify: a desktop notice before the prompt', () => {
  let box: Sandbox
  let bin: string

  beforeEach(async () => {
    box = await Sandbox.create()
    bin = path.join(box.root, 'bin')
    await fs.mkdir(bin)
    // What the recording askpass needs, and nothing else: no notify-send unless a test puts one here.
    for (const tool of ['head', 'tail', 'mv', 'date', 'sleep']) await fs.symlink(await which(tool), path.join(bin, tool))
  })

  afterEach(() => box.cleanup())

  const fakeNotifySend = (status: number) => fs.writeFile(path.join(bin, 'notify-send'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${box.root}/notice"\nexit ${status}\n`, {mode: 0o755})

  it('sends one notice naming the profile, before asking', async () => {
    await fakeNotifySend(0)
    const stub = await StsStub.start()
    try {
      const result = await box.run(['refresh-once', '--notify', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url, PATH: bin})
      assert.equal(result.code, 0, result.stderr)
      const notice = await waitFor(async () => (await fs.readFile(path.join(box.root, 'notice'), 'utf8').catch(() => '')) || undefined)
      assert.match(notice, /--app-name=mfa-creds[\s\S]*MFA code needed[\s\S]*one-time code for default \(to refresh \[default-mfa\]\)/)
      assert.doesNotMatch(notice, /123456|AKIA/)
    } finally {
      await stub.stop()
    }
  })

  it('fails nothing where notify-send is missing or cannot show it, and is off by default', async () => {
    const stub = await StsStub.start()
    try {
      const missing = await box.run(['refresh-once', '--notify', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url, PATH: bin})
      assert.equal(missing.code, 0, missing.stderr)
      assert.equal(missing.stderr.includes('notify'), false, missing.stderr)
      await fakeNotifySend(1)
      const failing = await box.run(['refresh-once', '--notify', '--force', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url, PATH: bin})
      assert.equal(failing.code, 0, failing.stderr)
      await fs.rm(path.join(box.root, 'notice'), {force: true})
      const off = await box.run(['refresh-once', '--force', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url, PATH: bin})
      assert.equal(off.code, 0, off.stderr)
      await assert.rejects(fs.access(path.join(box.root, 'notice')), 'a notice without --notify')
    } finally {
      await stub.stop()
    }
  })
})

async function which(tool: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, tool)
    if (await fs.access(candidate).then(() => true, () => false)) return candidate
  }

  throw new Error(`${tool} is not on PATH`)
}
