import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {BIN, Sandbox, SERIAL} from '../support/sandbox.js'

const execFileP = promisify(execFile)

describe('service install | uninstall | print', () => {
  let box: Sandbox
  let bin: string
  let unit: string

  beforeEach(async () => {
    box = await Sandbox.create()
    bin = path.join(box.root, 'bin')
    await fs.mkdir(bin)
    unit = path.join(box.home, '.config', 'systemd', 'user', 'mfa-creds.service')
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n`)
  })

  afterEach(() => box.cleanup())

  /** A systemctl that records its arguments and exits with `status`. */
  async function fakeSystemctl(status: number): Promise<string> {
    const log = path.join(box.root, 'systemctl.log')
    await fs.writeFile(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> '${log}'\n[ ${status} -eq 0 ] || echo 'Failed to connect to bus: No medium found' >&2\nexit ${status}\n`, {mode: 0o755})
    return log
  }

  const run = (args: string[], env: Record<string, string | undefined> = {}) => box.run(args, {DISPLAY: ':7', PATH: `${bin}:${process.env.PATH}`, ...env})

  it('prints a systemd user unit that systemd-analyze accepts, even for awkward profile names', async () => {
    const result = await run(['service', 'print', '-p', 'default', '-p', 'we%ird "name" $HOME', '--keep-going', '--platform', 'linux'], {XDG_CURRENT_DESKTOP: 'KDE'})
    assert.equal(result.code, 0, result.stderr)
    const [first, ...rest] = result.stdout.split('\n')
    assert.equal(first, `# ${unit}`)
    const text = rest.join('\n')
    assert.match(text, new RegExp(String.raw`ExecStart="${process.execPath}" "${BIN}" "watch" "--profile" "default" "--profile" "we%%ird \\"name\\" \$\$HOME" "--keep-going"`))
    assert.match(text, /^Environment="DISPLAY=:7"$/m)
    // auto's choice of window (kdialog in KDE) is the session's too.
    assert.match(text, /^Environment="XDG_CURRENT_DESKTOP=KDE"$/m)
    assert.match(text, /^Restart=on-failure$/m)
    const file = path.join(box.root, 'mfa-creds.service')
    await fs.writeFile(file, text)
    const verified = await execFileP('systemd-analyze', ['verify', file]).then(() => 'ok', (error: {stderr: string}) => error.stderr)
    assert.equal(verified, 'ok')
  })

  it('prints a launchd agent that parses as a property list', async () => {
    const result = await run(['service', 'print', '--platform', 'darwin', '-p', 'a&b<c>'])
    assert.equal(result.code, 0, result.stderr)
    const xml = result.stdout.split('\n').slice(1).join('\n')
    const script = 'import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'
    const child = execFileP('python3', ['-c', script])
    child.child.stdin!.end(xml)
    const plist = JSON.parse((await child).stdout)
    assert.equal(plist.Label, 'dev.mfa-creds.watch')
    assert.deepEqual(plist.ProgramArguments, [process.execPath, BIN, 'watch', '--profile', 'a&b<c>'])
    assert.equal(plist.EnvironmentVariables.DISPLAY, ':7')
    assert.deepEqual(plist.KeepAlive, {SuccessfulExit: false})
  })

  it('a variable with a line break stays one Environment= value; what a launchd agent cannot hold is refused, nothing written', async () => {
    const display = `:7\nExecStartPre=/bin/touch ${box.root}/pwned`
    const result = await run(['service', 'print', '--platform', 'linux'], {DISPLAY: display})
    assert.equal(result.code, 0, result.stderr)
    assert.doesNotMatch(result.stdout, /^ExecStartPre/m)
    assert.match(result.stdout, new RegExp(String.raw`^Environment="DISPLAY=:7\\nExecStartPre=/bin/touch ${box.root}/pwned"$`, 'm'))
    const file = path.join(box.root, 'mfa-creds.service')
    await fs.writeFile(file, result.stdout.split('\n').slice(1).join('\n'))
    const verified = await execFileP('systemd-analyze', ['verify', file]).then(() => 'ok', (error: {stderr: string}) => error.stderr)
    assert.equal(verified, 'ok')

    for (const command of ['print', 'install']) {
      const refused = await run(['service', command, '--platform', 'darwin'], {DISPLAY: ':7\u0001'})
      assert.equal(refused.code, 6, refused.stderr)
      assert.equal(refused.stdout, '')
      assert.match(refused.stderr, /the environment variable DISPLAY holds U\+0001, which a launchd property list \(XML 1\.0\) cannot hold/)
      assert.match(refused.stderr, /fix or unset DISPLAY in this session/)
    }

    await assert.rejects(fs.access(path.join(box.home, 'Library')))
  })

  it('installs the unit, enables and starts it; uninstall stops and removes it', async () => {
    const log = await fakeSystemctl(0)
    const installed = await run(['service', 'install', '--platform', 'linux'])
    assert.equal(installed.code, 0, installed.stderr)
    assert.match(installed.stdout, /Installed and started: .*mfa-creds\.service/)
    assert.equal((await fs.stat(unit)).mode & 0o777, 0o644)
    const printed = await run(['service', 'print', '--platform', 'linux'])
    assert.equal(await fs.readFile(unit, 'utf8'), `${printed.stdout.split('\n').slice(1).join('\n').trimEnd()}\n`)
    assert.deepEqual((await fs.readFile(log, 'utf8')).trim().split('\n'), ['--user daemon-reload', '--user enable --now mfa-creds.service'])

    const removed = await run(['service', 'uninstall', '--platform', 'linux'])
    assert.equal(removed.code, 0, removed.stderr)
    await assert.rejects(fs.access(unit))
    assert.match((await fs.readFile(log, 'utf8')), /--user disable --now mfa-creds\.service/)
    const again = await run(['service', 'uninstall', '--platform', 'linux'])
    assert.equal(again.code, 0)
    assert.match(again.stdout, /Nothing to remove/)
  })

  it('uninstall with the real systemctl and no user bus: says it removed the unit but could not stop it, and how to', async () => {
    const installed = await run(['service', 'install', '--platform', 'linux', '--no-start'])
    assert.equal(installed.code, 0, installed.stderr)
    const runtime = path.join(box.root, 'runtime')
    await fs.mkdir(runtime, {mode: 0o700})
    // The system's own systemctl (not the fake bin), with nothing at XDG_RUNTIME_DIR and no session bus.
    const removed = await run(['service', 'uninstall', '--platform', 'linux'], {DBUS_SESSION_BUS_ADDRESS: undefined, PATH: process.env.PATH, XDG_RUNTIME_DIR: runtime})
    assert.equal(removed.code, 6, removed.stderr)
    assert.equal(removed.stdout, '')
    assert.doesNotMatch(removed.stderr, /Stopped/)
    assert.match(removed.stderr, /removed .*mfa-creds\.service, but could not stop the service: /)
    assert.match(removed.stderr, /`systemctl --user disable --now mfa-creds\.service` could not reach the user service manager \(Failed to connect to bus: .*\)/)
    assert.match(removed.stderr, /if it is running, stop it from your login session: systemctl --user stop mfa-creds\.service/)
    await assert.rejects(fs.access(unit))
  })

  it('says so when the service manager cannot start it, and how to start it later', async () => {
    await fakeSystemctl(1)
    const result = await run(['service', 'install', '--platform', 'linux'])
    assert.equal(result.code, 6)
    assert.match(result.stderr, /wrote .*mfa-creds\.service, but could not start it: `systemctl --user daemon-reload` failed \(Failed to connect to bus: No medium found\)/)
    assert.match(result.stderr, /systemctl --user daemon-reload && systemctl --user enable --now mfa-creds\.service/)
    await fs.access(unit)
    const noStart = await run(['service', 'install', '--platform', 'linux', '--no-start'])
    assert.equal(noStart.code, 0)
    assert.match(noStart.stdout, /Wrote .* \(not started\)/)
  })

  it('checks the settings before installing anything', async () => {
    await fs.rm(box.configFile)
    await fakeSystemctl(0)
    const result = await run(['service', 'install', '--platform', 'linux'])
    assert.equal(result.code, 6)
    assert.match(result.stderr, /no MFA serial for profile default/)
    await assert.rejects(fs.access(unit))
  })
})
