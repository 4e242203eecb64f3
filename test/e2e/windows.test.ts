/**
 * zenity and kdialog as a person meets them: real windows on an Xvfb display, answered with
 * xdotool (test/support/display.ts), refreshing against moto, read back by botocore; auto
 * picking them with a display and no terminal. osascript cannot run here: test/prompts/windows.test.ts.
 */
import assert from 'node:assert/strict'

import {childProcess, Display, groupMembers} from '../support/display.js'
import {botocoreCreds, getMoto, waitFor} from '../support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

const PROMPT = `Enter MFA token for default from device ${SERIAL}`

/** Each window: its program, its title as xdotool matches it (WM_NAME: kdialog adds " — KDialog" to _NET_WM_NAME only), and its argv for PROMPT. */
const WINDOWS = [
  {argv: ['--entry', '--hide-text', '--title=mfa-creds', `--text=${PROMPT}`], name: 'zenity', title: 'mfa-creds'},
  {argv: ['--title', 'mfa-creds', '--password', PROMPT], name: 'kdialog', title: 'mfa-creds'},
] as const

describe('zenity and kdialog on a real display (Xvfb, xdotool)', () => {
  let display: Display
  let box: Sandbox
  let url: string

  before(async () => {
    display = await Display.start()
  })

  after(() => display?.stop())

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
  })

  afterEach(() => box.cleanup())

  /**
   * No --prompt, no terminal (detached), DISPLAY set, SSH_ASKPASS unset, PATH as the runner's
   * (zenity, kdialog and ssh-askpass all installed): auto picks zenity, or kdialog in KDE.
   */
  const desktop = (name: string, extra: Record<string, string> = {}) => ({
    AWS_ENDPOINT_URL: url, DISPLAY: display.name, SSH_ASKPASS: undefined, SSH_ASKPASS_REQUIRE: undefined,
    XDG_CURRENT_DESKTOP: name === 'kdialog' ? 'KDE' : 'GNOME', XDG_RUNTIME_DIR: undefined, ...extra,
  })

  /** The window; if the CLI ends first, why (rather than a bare time-out). */
  async function windowOf(title: string, cli: Promise<RunResult>): Promise<string> {
    const ended = cli.then(r => {
      throw new Error(`the CLI ended (exit ${r.code}) before a window appeared:\n${r.stderr}`)
    })
    ended.catch(() => {})
    const [window] = await Promise.race([display.findWindows(title, 30_000), ended])
    return window
  }

  for (const {argv, name, title} of WINDOWS) {
    describe(name, () => {
      it(`auto opens ${name} with a display and no terminal; the code typed into it is refreshed, and never in its argv or our output`, async () => {
        const child = box.start(['refresh-once', '--mfa-serial-number', SERIAL], desktop(name))
        const done = collect(child)
        await windowOf(title, done)
        const dialog = await childProcess(child.pid!, name)
        assert.deepEqual(dialog.argv.slice(1), argv)
        await display.type('975310')
        // Typed, not yet sent: the window's command line is as it was.
        const {argv: now} = await childProcess(child.pid!, name)
        assert.deepEqual(now.slice(1), argv)
        await display.key('Return')
        const result = await done
        assert.equal(result.code, 0, result.stderr)
        assert.match(result.stderr, new RegExp(`with ${name}\\.`))
        assert.match(result.stdout, /\[default-mfa\] refreshed/)
        const creds = await botocoreCreds(box.credentialsFile, 'default-mfa')
        assert.ok(creds?.token, 'botocore reads the session')
        assert.doesNotMatch(result.stdout + result.stderr, /975310/)
      })

      it('Escape cancels: exit 3, the file byte for byte as it was', async () => {
        const child = box.start(['refresh-once', '--prompt', name, '--mfa-serial-number', SERIAL], desktop(name, {XDG_CURRENT_DESKTOP: ''}))
        const done = collect(child)
        await windowOf(title, done)
        await display.type('x97531y')
        await display.key('Escape')
        const result = await done
        assert.equal(result.code, 3, result.stderr)
        assert.match(result.stderr, new RegExp(`the MFA prompt was cancelled \\(${name} exited 1`))
        assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
        assert.doesNotMatch(result.stdout + result.stderr, /97531/)
      })

      it('nobody answers: --prompt-timeout ends it (exit 3), with its whole process group and its window', async () => {
        const child = box.start(['refresh-once', '--prompt-timeout', '2', '--mfa-serial-number', SERIAL], desktop(name))
        const done = collect(child)
        // Its process, not its window: on a busy machine the window may take longer than 2 s to show.
        const {pid} = await childProcess(child.pid!, name)
        assert.ok((await groupMembers(pid)).includes(pid), `${name} leads a process group of its own`)
        const result = await done
        assert.equal(result.code, 3, result.stderr)
        assert.match(result.stderr, /no MFA code was entered within 2 s/)
        await waitFor(async () => ((await groupMembers(pid)).length === 0 ? true : undefined), 20_000, `process group ${pid} to be gone`)
        await waitFor(async () => ((await display.windows(title)).length === 0 ? true : undefined), 20_000, 'its window to be gone')
        assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
      })
    })
  }
})
