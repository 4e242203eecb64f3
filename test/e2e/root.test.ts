/**
 * Root refreshing a user's file (sudo keeping HOME, a system service), against that user turned
 * hostile: the user is `nobody`, owns the sandbox and plants symlinks; root must never create or
 * change a file outside it, and must leave everything it creates to the user. These run as root
 * (as CI does); elsewhere there is no root to test.
 */
import assert from 'node:assert/strict'
import {ChildProcess, execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {
  botocoreView, PythonLockHolder, StsStub, SUPPORT, waitFor,
} from '../support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

const execFileP = promisify(execFile)
const NOBODY = 65_534
/** A third user: neither root nor the owner of the file. */
const STRANGER = 4242
const BASE = ['refresh-once', '--mfa-serial-number', SERIAL]

interface Scene {
  box: Sandbox
  stub: StsStub
  /** A root-owned directory the user must not be able to make root write in. */
  victim: string
}

/** Gives the whole sandbox to nobody, links included (chown -h), as a user's own HOME would be. */
async function giveToNobody(box: Sandbox): Promise<void> {
  await execFileP('chown', ['-R', '-h', `${NOBODY}:${NOBODY}`, box.root])
  await fs.chmod(box.root, 0o755)
}

async function symlinkAs(owner: number, target: string, at: string): Promise<void> {
  await fs.symlink(target, at)
  await fs.lchown(at, owner, owner)
}

async function victimFiles(scene: Scene): Promise<string[]> {
  return fs.readdir(scene.victim)
}

/** As nobody: a non-blocking attempt at the lock (python lockf or flock). */
async function nobodyTryLock(lockFile: string, kind: 'flock' | 'lockf'): Promise<string> {
  // The system's python: a python3 found on root's PATH may live where nobody cannot reach.
  const {stdout} = await execFileP('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', '/usr/bin/python3', path.join(SUPPORT, 'hold_lock.py'), lockFile, `try-${kind}`])
  return stdout.trim()
}

async function owners(...files: string[]): Promise<number[]> {
  return Promise.all(files.map(async file => (await fs.lstat(file)).uid))
}

describe('root writing a user\'s files, against that user', () => {
  let scene: Scene
  let running: ChildProcess | undefined

  before(function () {
    if (process.getuid?.() !== 0) this.skip()
  })

  beforeEach(async () => {
    const box = await Sandbox.create()
    await fs.writeFile(box.configFile, '[default]\nregion = us-east-1\n')
    scene = {box, stub: await StsStub.start(), victim: await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-victim-'))}
  })

  afterEach(async () => {
    running?.kill('SIGKILL')
    running = undefined
    await scene.stub.stop()
    await scene.box.cleanup()
    await fs.rm(scene.victim, {force: true, recursive: true})
  })

  const run = (args = BASE): Promise<RunResult> => scene.box.run(args, {AWS_ENDPOINT_URL: scene.stub.url})

  it('a symlink swapped while the write waits for the lock: the write goes to the file first opened, nothing outside', async function () {
    this.timeout(60_000)
    const {box} = scene
    const real = path.join(box.aws, 'real')
    await fs.rename(box.credentialsFile, real)
    await fs.symlink('real', box.credentialsFile)
    await giveToNobody(box)
    const askpass = path.join(box.root, 'gated-askpass.sh')
    const gate = path.join(box.root, 'gate')
    await fs.writeFile(askpass, `#!/bin/sh\nprintf '%s\\n' "$1" >> "$ASKPASS_LOG"\nwhile [ ! -e "${gate}" ]; do sleep 0.02; done\necho 123456\n`, {mode: 0o755})
    running = box.start(BASE, {AWS_ENDPOINT_URL: scene.stub.url, SSH_ASKPASS: askpass})
    const done = collect(running)
    await waitFor(async () => (await box.askpassCalls()).length === 1, 30_000, 'the prompt')
    // Another program holds the lock when the code comes: the write is prepared, then waits.
    const holder = await PythonLockHolder.hold(box.lockFile, 'lockf')
    try {
      await fs.writeFile(gate, '')
      await waitFor(async () => (await fs.readdir(box.aws)).some(name => name.startsWith('.real.mfa-creds.')), 30_000, 'the prepared write')
      const swap = path.join(box.aws, 'swap')
      await symlinkAs(NOBODY, path.join(scene.victim, 'credentials'), swap)
      await fs.rename(swap, box.credentialsFile)
    } finally {
      await holder.release()
    }

    const result = await done
    assert.deepEqual(await victimFiles(scene), [], 'root wrote outside the user\'s directory')
    assert.equal(result.code, 0, result.stderr)
    const [{view}] = await botocoreView(real)
    assert.equal(view?.['default-mfa']?.aws_access_key_id, 'ASIASTUBSTUBSTUB0001')
    assert.deepEqual(await owners(real), [NOBODY])
  })

  it('a symlink owned by a third user: refused before the prompt, nothing written', async function () {
    this.timeout(60_000)
    const {box} = scene
    const real = path.join(box.aws, 'real')
    await fs.rename(box.credentialsFile, real)
    await giveToNobody(box)
    await symlinkAs(STRANGER, 'real', box.credentialsFile)
    const result = await run()
    assert.equal(result.code, 6, result.stderr)
    assert.match(result.stderr, new RegExp(`symbolic link owned by uid ${STRANGER}, neither root nor the file's owner`))
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(await fs.readFile(real, 'utf8'), DEFAULT_CREDENTIALS)
  })

  for (const [title, plant] of [
    ['the lock file', (box: Sandbox, victim: string) => symlinkAs(NOBODY, path.join(victim, 'nologin'), box.lockFile)],
    ['the state directory', (box: Sandbox, victim: string) => symlinkAs(NOBODY, victim, path.join(box.aws, '.mfa-creds'))],
    ['the prompt lock', async (box: Sandbox, victim: string) => {
      await fs.mkdir(path.join(box.aws, '.mfa-creds'), {mode: 0o700})
      await fs.chown(path.join(box.aws, '.mfa-creds'), NOBODY, NOBODY)
      await symlinkAs(NOBODY, path.join(victim, 'nologin'), path.join(box.aws, '.mfa-creds', 'prompt-default-mfa.lock'))
    }],
  ] as const) {
    it(`a symlink at ${title}: never followed (exit 6), no file made outside`, async function () {
      this.timeout(60_000)
      await giveToNobody(scene.box)
      await plant(scene.box, scene.victim)
      const result = await run()
      assert.equal(result.code, 6, result.stderr)
      assert.match(result.stderr, /symbolic link|is not a directory|too many levels/)
      assert.deepEqual(await victimFiles(scene), [])
      assert.equal(await scene.box.readCredentials(), DEFAULT_CREDENTIALS)
    })
  }

  it('a field of symlinks at the watcher record\'s temp name: no root file is truncated', async function () {
    this.timeout(60_000)
    const {box} = scene
    const precious = path.join(scene.victim, 'precious')
    await fs.writeFile(precious, 'precious\n')
    const fresh = new Date(Date.now() + (6 * 3_600_000)).toISOString().replace(/\.\d+Z$/, 'Z')
    await fs.appendFile(box.credentialsFile, `\n[default-mfa]\naws_access_key_id = ASIAFRESH\naws_secret_access_key = s\naws_session_token = t\nexpiration = ${fresh}\n`)
    const state = path.join(box.aws, '.mfa-creds')
    await fs.mkdir(state, {mode: 0o700})
    const last = Number(await fs.readFile('/proc/sys/kernel/ns_last_pid', 'utf8'))
    for (let pid = last + 1; pid <= last + 3000; pid++) await fs.symlink(precious, path.join(state, `watch-${pid}.json.new`))
    await giveToNobody(box)
    running = box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: scene.stub.url})
    let stderr = ''
    running.stderr!.on('data', chunk => {
      stderr += chunk
    })
    await waitFor(() => /next prompt/.test(stderr) || running!.exitCode !== null, 30_000, 'watch to settle')
    assert.equal(running.exitCode, null, stderr)
    running.kill('SIGTERM')
    assert.equal(await fs.readFile(precious, 'utf8'), 'precious\n')
    assert.deepEqual(await victimFiles(scene), ['precious'])
  })

  it('everything root makes for the file belongs to its owner, who can still take the lock', async function () {
    this.timeout(60_000)
    const {box} = scene
    await giveToNobody(box)
    const result = await run([...BASE, '--force'])
    assert.equal(result.code, 0, result.stderr)
    const state = path.join(box.aws, '.mfa-creds')
    assert.deepEqual(await owners(box.credentialsFile, box.lockFile, state, path.join(state, 'prompt-default-mfa.lock')), [NOBODY, NOBODY, NOBODY, NOBODY])
    assert.equal(await nobodyTryLock(box.lockFile, 'lockf'), 'free')
    assert.equal(await nobodyTryLock(box.lockFile, 'flock'), 'free')
    const [{view}] = await botocoreView(box.credentialsFile)
    assert.equal(view?.['default-mfa']?.aws_access_key_id, 'ASIASTUBSTUBSTUB0001')
  })

  it('a root file linked or moved to the lock names is never given to the user', async function () {
    this.timeout(60_000)
    const {box} = scene
    const secret = path.join(scene.victim, 'secret')
    await fs.writeFile(secret, 'root only\n', {mode: 0o600})
    await giveToNobody(box)
    await fs.link(secret, box.lockFile)
    await fs.mkdir(path.join(box.aws, '.mfa-creds'), {mode: 0o700})
    await fs.chown(path.join(box.aws, '.mfa-creds'), NOBODY, NOBODY)
    const moved = path.join(box.aws, '.mfa-creds', 'prompt-default-mfa.lock')
    await fs.writeFile(moved, 'also root only\n', {mode: 0o600})
    await run([...BASE, '--force'])
    assert.deepEqual(await owners(secret, moved), [0, 0])
    assert.equal(await fs.readFile(secret, 'utf8'), 'root only\n')
    assert.equal(await fs.readFile(moved, 'utf8'), 'also root only\n')
  })

  it('a user\'s symlink to root\'s own credentials: refused before any call is signed, nothing created', async function () {
    this.timeout(60_000)
    const {box} = scene
    const rootKeys = path.join(scene.victim, 'credentials')
    await fs.writeFile(rootKeys, '[default]\naws_access_key_id = AKIAROOTROOTROOTROOT\naws_secret_access_key = root/secret\n', {mode: 0o600})
    await fs.rm(box.credentialsFile)
    await giveToNobody(box)
    await symlinkAs(NOBODY, rootKeys, box.credentialsFile)
    const before = (await fs.readdir(box.aws)).sort()
    const result = await run()
    assert.equal(result.code, 6, result.stderr)
    assert.match(result.stderr, /symbolic link owned by uid 65534, neither root nor the file's owner \(uid 0\)/)
    assert.equal(scene.stub.requests.length, 0, 'a call was signed')
    assert.deepEqual((await fs.readdir(box.aws)).sort(), before, 'something was created')
    assert.deepEqual(await box.askpassCalls(), [])
  })

  for (const command of [['status'], ['setup', '--serial', SERIAL, '--force'], ['credential-process', '--mfa-serial-number', SERIAL]]) {
    it(`${command[0]} as root: a user's symlink to root's own config is refused, nothing of it is read out or copied`, async function () {
      this.timeout(60_000)
      const {box} = scene
      const rootConfig = path.join(scene.victim, 'config')
      const secret = '[default]\nregion = us-east-1\nroot_private = hunter2-root-config-secret\n[profile x]\nnested =\n  ROOT-PRIVATE-LINE-WITHOUT-EQUALS\n'
      await fs.writeFile(rootConfig, secret, {mode: 0o600})
      await fs.rm(box.configFile)
      await giveToNobody(box)
      await symlinkAs(NOBODY, rootConfig, box.configFile)
      const before = (await fs.readdir(box.aws)).sort()
      const result = await run(command)
      assert.equal(result.code, 6, result.stdout + result.stderr)
      assert.match(result.stderr, /symbolic link owned by uid 65534, neither root nor the file's owner/)
      assert.doesNotMatch(result.stdout + result.stderr, /hunter2|ROOT-PRIVATE/)
      assert.deepEqual((await fs.readdir(box.aws)).sort(), before)
      assert.equal(await fs.readFile(rootConfig, 'utf8'), secret)
      assert.equal(scene.stub.requests.length, 0)
    })
  }

  it('/dev/null as the credentials file: a clear error at once, no lock held or made', async function () {
    this.timeout(60_000)
    const {box} = scene
    await giveToNobody(box)
    // What is in /dev now (an older version may have left its lock there): this run adds nothing.
    const seen = async () => Promise.all(['/dev/.credentials.lock', '/dev/.mfa-creds'].map(f => fs.stat(f).then(st => `${st.ino} ${st.mtimeMs}`, () => 'none')))
    const before = await seen()
    const result = await scene.box.run([...BASE, '--lock-timeout', '30'], {AWS_ENDPOINT_URL: scene.stub.url, AWS_SHARED_CREDENTIALS_FILE: '/dev/null'})
    assert.equal(result.code, 6, result.stderr)
    assert.match(result.stderr, /no \[default\] section|does not exist/)
    assert.deepEqual(await seen(), before)
  })

  it('a file its owner made read-only (0400) is not written by root either: exit 6 before the prompt', async function () {
    this.timeout(60_000)
    const {box} = scene
    await giveToNobody(box)
    await fs.chmod(box.credentialsFile, 0o400)
    const result = await run()
    assert.equal(result.code, 6, result.stderr)
    assert.match(result.stderr, /is read-only \(mode 0400\)/)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
    assert.equal(((await fs.stat(box.credentialsFile)).mode & 0o777).toString(8), '400')
  })
})
