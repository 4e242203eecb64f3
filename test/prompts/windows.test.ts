/**
 * zenity, kdialog and osascript as the providers run them: a fake program of that name on PATH (a
 * real process: a small shell script) records its argv, says something on stderr and prints a
 * code or exits as a person's click would make the real one exit. osascript cannot run here
 * (Linux): this is all the testing it gets. Real zenity and kdialog windows: test/e2e/windows.test.ts.
 */
import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {
  PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../../src/core/errors.js'
import {PromptRequest} from '../../src/core/refresh/ports.js'
import {windowPrompt, WindowSpec} from '../../src/prompts/dialog.js'
import {kdialogArgs, kdialogWindow} from '../../src/prompts/kdialog.js'
import {OSASCRIPT_SCRIPT, osascriptArgs, osascriptWindow} from '../../src/prompts/osascript.js'
import {zenityArgs, zenityWindow} from '../../src/prompts/zenity.js'
import {waitFor} from '../support/peers.js'

const SERIAL = 'arn:aws:iam::123456789012:mfa/alice'
const request = (profile = 'default', timeoutMs = 20_000): PromptRequest => ({
  attempt: 1, profile, serial: SERIAL, targetProfile: `${profile}-mfa`, timeoutMs,
})

describe('prompts: zenity, kdialog and osascript through a fake program on PATH', () => {
  let dir: string
  let env: NodeJS.ProcessEnv

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-windows-'))
    env = {DISPLAY: ':0', PATH: `${dir}:/usr/bin:/bin`}
    // argv one per line (NUL-separated), then as told: $FAKE_SLEEP (a child that outlives nothing), $FAKE_SAY, $FAKE_EXIT.
    const fake = `#!/bin/sh
for arg in "$@"; do printf '%s\\0' "$arg"; done > "${dir}/argv"
[ -n "$FAKE_SAY" ] && echo "$FAKE_SAY" >&2
if [ -n "$FAKE_SLEEP" ]; then sleep "$FAKE_SLEEP" & echo $! > "${dir}/child"; wait; fi
[ "\${FAKE_EXIT:-0}" = 0 ] && echo " 246810 "
exit "\${FAKE_EXIT:-0}"
`
    for (const name of ['zenity', 'kdialog', 'osascript']) await fs.writeFile(path.join(dir, name), fake, {mode: 0o755})
  })

  afterEach(() => fs.rm(dir, {force: true, recursive: true}))

  const argv = async () => (await fs.readFile(path.join(dir, 'argv'), 'utf8')).split('\0').slice(0, -1)
  const ask = (window: WindowSpec, req = request()) => windowPrompt(window, env).ask(req, {})

  it(String.raw`zenity: a hidden entry titled mfa-creds, the prompt in --text, escaped for zenity (_ and \)`, async () => {
    assert.equal(await ask(zenityWindow), ' 246810 \n', 'trimmed and checked by the refresher')
    assert.deepEqual(await argv(), ['--entry', '--hide-text', '--title=mfa-creds', `--text=Enter MFA token for default from device ${SERIAL}`])
    assert.deepEqual(zenityArgs(String.raw`Enter MFA token for my_work\n from device x`).at(-1), String.raw`--text=Enter MFA token for my__work\\n from device x`)
  })

  it('zenity and kdialog with no display: unavailable, said so, and never run (not a cancel)', async () => {
    for (const window of [zenityWindow, kdialogWindow]) {
      env = {PATH: env.PATH}
      await assert.rejects(ask(window), (error: Error) => error instanceof PromptUnavailableError && /no display \(DISPLAY or WAYLAND_DISPLAY is not set\)/.test(error.message))
      await assert.rejects(fs.access(path.join(dir, 'argv')))
    }
  })

  it('kdialog: --password with the prompt, titled mfa-creds; text with a tag shown as text', async () => {
    assert.equal(await ask(kdialogWindow), ' 246810 \n')
    assert.deepEqual(await argv(), ['--title', 'mfa-creds', '--password', `Enter MFA token for default from device ${SERIAL}`])
    assert.deepEqual(kdialogArgs('Enter MFA token for a&b from device x').at(-1), 'Enter MFA token for a&b from device x')
    assert.deepEqual(kdialogArgs('Enter MFA token for <b>a</b>&c from device x').at(-1), 'Enter MFA token for &lt;b&gt;a&lt;/b&gt;&amp;c from device x')
  })

  it('osascript: a fixed script with the prompt in its argv (on run argv), so a profile name cannot be AppleScript', async () => {
    const evil = 'x" & (do shell script "touch /tmp/pwned") & "'
    assert.equal(await ask(osascriptWindow, request(evil)), ' 246810 \n')
    const args = await argv()
    assert.deepEqual(args, osascriptArgs(`Enter MFA token for ${evil} from device ${SERIAL}`))
    assert.equal(args.at(-1), `Enter MFA token for ${evil} from device ${SERIAL}`)
    const script = args.slice(0, -1)
    assert.deepEqual(script.filter((_, i) => i % 2 === 0), script.map(() => '-e').slice(0, script.length / 2))
    assert.ok(!script.join('\n').includes(evil), 'the profile name is not in the script')
    assert.equal(script.filter((_, i) => i % 2 === 1).join('\n'), OSASCRIPT_SCRIPT.join('\n'))
    assert.match(OSASCRIPT_SCRIPT.join('\n'), /^on run argv\n[\s\S]*set answer to display dialog \(item 1 of argv\) default answer "" with hidden answer[\s\S]*with title "mfa-creds"[\s\S]*end run$/)
  })

  for (const [name, provider, said] of [
    ['zenity', zenityWindow, ''], ['kdialog', kdialogWindow, ''], ['osascript', osascriptWindow, 'execution error: User canceled. (-128)'],
  ] as const) {
    it(`${name}: Cancel (exit 1) is cancelled, saying what it said; not installed says how to get it`, async () => {
      env.FAKE_EXIT = '1'
      env.FAKE_SAY = said
      await assert.rejects(ask(provider), (error: Error) => error instanceof PromptCancelledError
        && error.message === `the MFA prompt was cancelled (${name} exited 1${said ? `: ${said}` : ''})`)
      env.PATH = '/nonexistent'
      await assert.rejects(ask(provider), (error: Error) => error instanceof PromptUnavailableError
        && error.message === `cannot run ${name} to ask for the MFA code (ENOENT)` && /--prompt/.test((error as PromptUnavailableError).hint ?? ''))
    })
  }

  it('what GTK and Qt say on every run (no accessibility bus, no runtime dir) is not given as the reason', async () => {
    env.FAKE_EXIT = '1'
    env.FAKE_SAY = "(zenity:3121): dbind-WARNING **: 17:24:54.935: Couldn't connect to accessibility bus: Failed to connect to socket"
    await assert.rejects(ask(zenityWindow), (error: Error) => error.message === 'the MFA prompt was cancelled (zenity exited 1)')
    env.FAKE_SAY = "QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '/tmp/runtime-root'\nqt.qpa.xcb: could not connect to display"
    await assert.rejects(ask(kdialogWindow), (error: Error) => error.message === 'the MFA prompt was cancelled (kdialog exited 1: qt.qpa.xcb: could not connect to display)')
  })

  it('a window nobody answers is ended with all it started (its process group), and says timed out', async () => {
    env.FAKE_SLEEP = '60'
    await assert.rejects(ask(zenityWindow, request('default', 1500)), PromptTimedOutError)
    const child = Number(await fs.readFile(path.join(dir, 'child'), 'utf8'))
    await waitFor(() => (alive(child) ? undefined : true), 20_000, `the window's child ${child} to be gone`)
  })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
