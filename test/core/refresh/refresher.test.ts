import assert from 'node:assert/strict'

import {AbortedError, StsUnavailableError} from '../../../src/core/errors.js'
import {PromptProvider, PromptRequest} from '../../../src/core/refresh/ports.js'
import {backoffDelay, RefreshEvent, refreshOnce} from '../../../src/core/refresh/refresher.js'
import {resolveSettings} from '../../../src/core/refresh/settings.js'
import {credentialsFileKeys} from '../../../src/sources/credentials-file.js'
import {CredentialsFileWriter} from '../../../src/writers/credentials-file.js'
import {StsStub} from '../../support/peers.js'
import {sandboxWithStub, SERIAL} from '../../support/sandbox.js'

/** A prompt provider (the port the refresher asks through) that answers from a list. */
class ScriptedPrompt implements PromptProvider {
  readonly asked: PromptRequest[] = []
  readonly name = 'scripted'
  readonly retriesRejectedCodes = false

  constructor(private readonly codes: string[]) {}

  async ask(request: PromptRequest): Promise<string> {
    this.asked.push(request)
    return this.codes.shift() ?? '000000'
  }
}

describe('refresher: transient STS failures', () => {
  const t = sandboxWithStub()

  const settings = () => resolveSettings({'mfa-serial-number': SERIAL}, {AWS_ENDPOINT_URL: t.stub.url, HOME: t.box.home})

  it('sends the typed code again while it is fresh, and asks for a new one once it is too old', async () => {
    const failures = Array.from({length: 9}, () => StsStub.error(503, 'ServiceUnavailable', 'down'))
    t.stub.push(...failures)
    const prompt = new ScriptedPrompt(['111111', '222222'])
    const events: RefreshEvent[] = []
    // Time moves only through the waits: load on the machine cannot age the code.
    let elapsed = 0
    const result = await refreshOnce(await settings(), {
      keys: credentialsFileKeys(t.box.credentialsFile), monotonicNow: () => elapsed, onEvent: e => events.push(e), prompt, writer: new CredentialsFileWriter(t.box.credentialsFile),
    }, {
      transient: {
        baseDelayMs: 200,
        codeReuseMs: 700,
        maxDelayMs: 400,
        random: () => 1,
        async sleep(ms) {
          elapsed += ms
        },
      },
    })
    assert.equal(result.action, 'refreshed')
    const codes = t.stub.requests.map(r => r.form.TokenCode)
    // Waits of 200, 400 and 400 ms: the code is sent after 0, 200 and 600 ms, then is too old (1000 ms).
    // Three calls of three attempts (the SDK's) with the first code, after 0, 200 and 600 ms of
    // waiting; at 1000 ms it is too old, and the new one goes out.
    assert.deepEqual(codes, [...Array.from({length: 9}, () => '111111'), '222222'], 'a code older than the reuse window was sent again')
    assert.equal(prompt.asked.length, 2)
    assert.match(prompt.asked[1].reason ?? '', /too old to send again/)
    const retries = events.filter(e => e.type === 'retrying')
    assert.ok(retries.length >= 2)
    assert.ok(retries.every(e => e.type === 'retrying' && e.delayMs <= 400))
  })

  it('fails at once without a transient policy (refresh-once), after the SDK\'s own retries', async () => {
    t.stub.fallback = StsStub.error(503, 'ServiceUnavailable', 'down')
    const prompt = new ScriptedPrompt(['111111'])
    await assert.rejects(refreshOnce(await settings(), {keys: credentialsFileKeys(t.box.credentialsFile), prompt, writer: new CredentialsFileWriter(t.box.credentialsFile)}), StsUnavailableError)
    assert.equal(t.stub.requests.length, 3)
  })

  it('stops waiting between retries when asked to stop, writing nothing', async () => {
    t.stub.fallback = StsStub.error(503, 'ServiceUnavailable', 'down')
    const stop = new AbortController()
    const pending = refreshOnce(await settings(), {
      keys: credentialsFileKeys(t.box.credentialsFile),
      onEvent(e) {
        if (e.type === 'retrying') stop.abort()
      },
      prompt: new ScriptedPrompt(['111111']),
      signal: stop.signal, writer: new CredentialsFileWriter(t.box.credentialsFile),
    }, {transient: {baseDelayMs: 60_000, codeReuseMs: 60_000, maxDelayMs: 60_000}})
    await assert.rejects(pending, AbortedError)
    assert.doesNotMatch(await t.box.readCredentials(), /default-mfa/)
  })

  it('backs off exponentially with jitter, capped', () => {
    const retry = {baseDelayMs: 1000, maxDelayMs: 300_000}
    assert.equal(backoffDelay(1, {...retry, random: () => 0}), 500)
    assert.equal(backoffDelay(1, {...retry, random: () => 1}), 1000)
    assert.equal(backoffDelay(4, {...retry, random: () => 1}), 8000)
    assert.equal(backoffDelay(30, {...retry, random: () => 1}), 300_000)
    assert.ok(backoffDelay(30, {...retry, random: () => 0}) >= 150_000)
  })
})
