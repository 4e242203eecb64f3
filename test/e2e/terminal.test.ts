import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'

import {botocoreCreds, getMoto} from '../support/peers.js'
import {
  BIN, DEFAULT_CREDENTIALS, Sandbox, SERIAL,
} from '../support/sandbox.js'
import {Tmux} from '../support/tmux.js'

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

describe('a real terminal (tmux): the tty prompt and the live status line', () => {
  let box: Sandbox
  let url: string
  let tmux: Tmux | undefined

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
  })

  afterEach(async () => {
    await tmux?.kill()
    tmux = undefined
    await box.cleanup()
  })

  /** The CLI in a tmux pane; afterwards the pane shows its exit status and the terminal's settings. */
  const open = async (args: string) => {
    const env = box.env({AWS_ENDPOINT_URL: url, SSH_ASKPASS_REQUIRE: undefined, TERM: 'xterm-256color'})
    tmux = await Tmux.open(`'${process.execPath}' '${BIN}' ${args}; echo "status=$?"; stty -a`, env)
    return tmux
  }

  it('asks on the pane without echoing the digits; Return completes the refresh', async () => {
    const pane = await open(`refresh-once --prompt tty --mfa-serial-number ${SERIAL}`)
    await pane.waitFor(/MFA code for default \(arn:aws:iam::123456789012:mfa\/alice\):$/)
    await pane.text('2468')
    await sleep(300)
    const typing = await pane.screen()
    assert.match(typing, /MFA code for default \([^)]*\):$/, 'typed digits showed on the pane')
    await pane.text('10')
    await pane.keys('Enter')
    const after = await pane.waitFor(/status=\d+/)
    assert.match(after, /status=0/)
    assert.match(after, /\[default-mfa\] refreshed/)
    assert.doesNotMatch(after, /2468|246810/)
    assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
  })

  it('Ctrl-C at the prompt: exit 3, the file as it was, echo back on', async () => {
    const pane = await open(`refresh-once --prompt tty --mfa-serial-number ${SERIAL}`)
    await pane.waitFor(/MFA code for default/)
    await pane.text('12')
    await pane.keys('C-c')
    const after = await pane.waitFor(/status=\d+[\s\S]*\becho\b/)
    assert.match(after, /status=3/)
    assert.match(after, /prompt was cancelled/)
    assert.match(after, /(^|\s)echo(\s|$)/m, 'echo is still off')
    assert.doesNotMatch(after, /(^|\s)-echo(\s|$)/m)
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })

  it('watch keeps a live status line with the profile and the time left, counting down', async () => {
    const expiration = new Date(Date.now() + (40 * 60_000)).toISOString().replace(/\.\d+Z$/, 'Z')
    await fs.appendFile(box.credentialsFile, `\n[default-mfa]\naws_access_key_id = ASIAFRESH\naws_secret_access_key = s\naws_session_token = t\nexpiration = ${expiration}\n`)
    const pane = await open(`watch --mfa-serial-number ${SERIAL}`)
    const line = /default-mfa: valid until \d\d:\d\d \((\d+m \d+s) left\), next prompt in \d+m \d+s/
    const first = line.exec(await pane.waitFor(line))![1]
    await sleep(2500)
    const second = line.exec(await pane.waitFor(line))![1]
    assert.notEqual(second, first, 'the line did not update')
    await pane.keys('C-c')
    assert.match(await pane.waitFor(/status=\d+/), /status=0/)
    assert.deepEqual(await box.askpassCalls(), [])
  })
})
