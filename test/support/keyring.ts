/**
 * A real OS keyring for the tests, with no desktop: a private D-Bus session bus (dbus-daemon with
 * a config of our own: no service files, so nothing is started behind our back) and
 * gnome-keyring-daemon's Secret Service on it, unlocked with a password on stdin, or left locked.
 * `secret-tool` (libsecret) reads and writes it as any other program would. Every process
 * started here is ended by `stop`, and `leftovers` finds any process still holding the bus address.
 */
import assert from 'node:assert/strict'
import {ChildProcess, execFile, spawn} from 'node:child_process'
import {once} from 'node:events'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {waitFor} from './peers.js'

/** The password of the test's login keyring (not an AWS secret). */
const KEYRING_PASSWORD = 'test-keyring-password'

export interface ToolResult {
  code: null | number
  stderr: string
  stdout: string
}

/** Runs a program to its end with `input` on stdin (a secret goes there, never into argv). */
function runTool(program: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, {env, timeout: 30_000}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
      if (error && code === null) reject(error)
      else resolve({code, stderr, stdout})
    })
    // A program that exits without reading its stdin makes the write fail (EPIPE): its exit says what happened.
    child.stdin!.on('error', () => {})
    child.stdin!.end(input)
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

export class KeyringBus {
  private daemon: ChildProcess | undefined

  private constructor(
    readonly root: string,
    readonly address: string,
    private readonly bus: ChildProcess,
  ) {}

  /** A session bus of its own, with no keyring on it yet. */
  static async start(): Promise<KeyringBus> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-keyring-'))
    await fs.mkdir(path.join(root, 'home'), {mode: 0o700})
    await fs.mkdir(path.join(root, 'run'), {mode: 0o700})
    const config = path.join(root, 'bus.conf')
    await fs.writeFile(config, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${path.join(root, 'bus')}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`)
    const bus = spawn('dbus-daemon', ['--nofork', `--config-file=${config}`, '--print-address=1'], {stdio: ['ignore', 'pipe', 'pipe']})
    let told = ''
    let said = ''
    bus.stderr!.on('data', chunk => {
      said += chunk
    })
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`dbus-daemon told no address in 30 s: ${said}`)), 30_000)
        bus.stdout!.on('data', (chunk: Buffer) => {
          told += chunk
          if (told.includes('\n')) {
            clearTimeout(timer)
            resolve(told.trim())
          }
        })
        bus.on('exit', code => reject(new Error(`dbus-daemon exited with ${code}: ${said}`)))
      })
      return new KeyringBus(root, address, bus)
    } catch (error) {
      await stopChild(bus)
      await fs.rm(root, {force: true, recursive: true})
      throw error
    }
  }

  /** The environment the keyring's programs run in: this bus, a HOME and runtime dir of the keyring's own, no display. */
  get env(): NodeJS.ProcessEnv {
    return {
      DBUS_SESSION_BUS_ADDRESS: this.address,
      HOME: path.join(this.root, 'home'),
      LANG: 'C.UTF-8',
      PATH: process.env.PATH,
      XDG_DATA_HOME: path.join(this.root, 'home', '.local', 'share'),
      XDG_RUNTIME_DIR: path.join(this.root, 'run'),
    }
  }

  /** Processes other than the test runner that still have this bus in their environment. */
  async leftovers(): Promise<string[]> {
    const found: string[] = []
    for (const pid of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue
      const environ = await fs.readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
      if (!environ.split('\0').includes(`DBUS_SESSION_BUS_ADDRESS=${this.address}`)) continue
      const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
      // A zombie has an empty command line and is gone once reaped.
      if (cmdline) found.push(`${pid} ${cmdline.replaceAll('\0', ' ').trim()}`)
    }

    return found
  }

  /** secret-tool on this bus; `input` is its stdin (the secret for `store`). */
  secretTool(args: string[], input = ''): Promise<ToolResult> {
    return runTool('secret-tool', args, this.env, input)
  }

  /**
   * Starts gnome-keyring-daemon's Secret Service on this bus: `unlocked`, it unlocks (or first
   * creates) the login keyring with the password given on stdin; otherwise it is started and
   * never unlocked, so a keyring made earlier stays locked; `empty`, started on a HOME that has no
   * keyring yet, and none is made (that needs a prompt). Resolves once the login keyring is there
   * in that state (`empty`: once the Secret Service is on the bus).
   */
  async startKeyring(state: 'empty' | 'locked' | 'unlocked'): Promise<void> {
    if (this.daemon) throw new Error('a keyring daemon is already running on this bus')
    const args = ['--foreground', state === 'unlocked' ? '--unlock' : '--start', '--components=secrets']
    const daemon = spawn('gnome-keyring-daemon', args, {env: this.env, stdio: ['pipe', 'ignore', 'pipe']})
    this.daemon = daemon
    let said = ''
    daemon.stderr!.on('data', chunk => {
      said += chunk
    })
    // Started with --start, the daemon may not read stdin before it detaches it (EPIPE): nothing was for it.
    daemon.stdin!.on('error', () => {})
    daemon.stdin!.end(state === 'unlocked' ? KEYRING_PASSWORD : '')
    await waitFor(async () => {
      if (daemon.exitCode !== null) throw new Error(`gnome-keyring-daemon exited ${daemon.exitCode}: ${said}`)
      if (state === 'empty') return (await this.serviceOnBus()) || undefined
      return (await this.loginLocked()) === (state === 'locked') || undefined
    }, 30_000, `gnome-keyring-daemon with a ${state} login keyring`)
  }

  /** Ends everything this bus started, and the bus, and removes its files. */
  async stop(): Promise<void> {
    await this.stopKeyring()
    await stopChild(this.bus)
    await fs.rm(this.root, {force: true, recursive: true})
  }

  async stopKeyring(): Promise<void> {
    if (!this.daemon) return
    await stopChild(this.daemon)
    this.daemon = undefined
  }

  /** Whether the login keyring is locked, undefined while the Secret Service or the keyring is not there. */
  private async loginLocked(): Promise<boolean | undefined> {
    const {code, stdout} = await runTool('dbus-send', [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.secrets',
      '/org/freedesktop/secrets/collection/login',
      'org.freedesktop.DBus.Properties.Get',
      'string:org.freedesktop.Secret.Collection',
      'string:Locked',
    ], this.env)
    if (code !== 0) return undefined
    if (/boolean true/.test(stdout)) return true
    if (/boolean false/.test(stdout)) return false
    return undefined
  }

  /** Whether the Secret Service has a name on the bus. */
  private async serviceOnBus(): Promise<boolean> {
    const {code, stdout} = await runTool('dbus-send', [
      '--session',
      '--print-reply',
      '--dest=org.freedesktop.DBus',
      '/org/freedesktop/DBus',
      'org.freedesktop.DBus.NameHasOwner',
      'string:org.freedesktop.secrets',
    ], this.env)
    return code === 0 && /boolean true/.test(stdout)
  }
}

/** A bus for the calling suite, set up by `start` (a keyring daemon, entries), checked to leave no process behind. */
export function keyringBusForSuite(start: (bus: KeyringBus) => Promise<void>): {bus: KeyringBus} {
  const fixture = {} as {bus: KeyringBus}
  before(async function () {
    this.timeout(90_000)
    fixture.bus = await KeyringBus.start()
    await start(fixture.bus)
  })
  after(async () => {
    if (!fixture.bus) return
    const running = (await fixture.bus.leftovers()).filter(line => !/dbus-daemon|gnome-keyring-daemon/.test(line))
    await fixture.bus.stop()
    assert.deepEqual(running, [], 'a process the test started was still on the bus')
    assert.deepEqual(await fixture.bus.leftovers(), [], 'the bus or the keyring daemon outlived the suite')
  })
  return fixture
}
