import assert from 'node:assert/strict'

import {StsStub} from '../support/peers.js'
import {
  BIN, DEFAULT_CREDENTIALS, sandboxWithStub, SERIAL,
} from '../support/sandbox.js'
import {Terminal} from '../support/terminal.js'

const WRONG = StsStub.error(403, 'AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.')

describe('refresh-once --prompt tty on a real terminal', () => {
  const t = sandboxWithStub()

  const cli = `'${process.execPath}' '${BIN}' refresh-once --prompt tty --mfa-serial-number ${SERIAL}`
  const env = () => t.box.env({AWS_ENDPOINT_URL: t.stub.url, SSH_ASKPASS_REQUIRE: undefined})

  it('asks again for a code STS rejects, without echoing what is typed; Backspace and Ctrl-U edit', async () => {
    t.stub.push(WRONG)
    const term = Terminal.open(cli, env())
    await term.waitFor(/MFA code for default \(arn:aws:iam::123456789012:mfa\/alice\): /)
    term.type('98\u00151111x\u007F11\r')
    await term.waitFor(/AWS rejected that code; wait for the next one and enter it\./)
    await term.waitFor(/MFA code for default/, 2)
    term.type('222222\r')
    assert.equal(await term.exit(), 0, term.output)
    assert.deepEqual(t.stub.requests.map(r => r.form.TokenCode), ['111111', '222222'])
    assert.ok(!term.output.includes('111111') && !term.output.includes('222222'), `the code was echoed: ${term.output}`)
    assert.match(term.output, /\[default-mfa\] refreshed/)
  })

  it('asks again for input that is not six digits, and gives up after three rejected codes (exit 4)', async () => {
    t.stub.fallback = WRONG
    const term = Terminal.open(cli, env())
    await term.waitFor(/MFA code for default/)
    term.type('12a\r')
    await term.waitFor(/That was not a six-digit code; try again\./)
    term.type('333333\r')
    await term.waitFor(/MFA code for default/, 3)
    term.type('444444\r')
    assert.equal(await term.exit(), 4, term.output)
    assert.deepEqual(t.stub.requests.map(r => r.form.TokenCode), ['333333', '444444'])
    assert.match(term.output, /STS rejected the MFA code/)
  })

  it('cancels on Ctrl-C with exit 3, leaving the terminal sane (echo on)', async () => {
    const term = Terminal.open(`${cli}; echo "status=$?"; stty -a`, env())
    await term.waitFor(/MFA code for default/)
    term.type('12\u0003')
    await term.waitFor(/status=3/)
    assert.equal(await term.exit(), 0)
    assert.match(term.output, /prompt was cancelled/)
    assert.match(term.output, /(^|\s)echo(\s|$)/m, 'echo is off after the prompt')
    assert.equal(t.stub.requests.length, 0)
    assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})
