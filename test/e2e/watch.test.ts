import assert from 'node:assert/strict'
import {ChildProcess} from 'node:child_process'
import {once} from 'node:events'
import {existsSync, promises as fs} from 'node:fs'
import path from 'node:path'

import {listWatchers} from '../../src/core/state/registry.js'
import {
  botocoreView, getMoto, StsStub, waitFor,
} from '../support/peers.js'
import {
  BIN, DEFAULT_CREDENTIALS, LONG_TERM, Sandbox, sandboxWithStub, SERIAL,
} from '../support/sandbox.js'
import {Terminal} from '../support/terminal.js'

const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1'
const FAST = ['--duration', '900', '--refresh-lead-time', '896']

/** A running `watch`, with its stderr collected as it comes. */
class Running {
  stderr = ''

  constructor(readonly child: ChildProcess) {
    child.stderr!.on('data', c => {
      this.stderr += c
    })
    child.stdout!.resume()
  }

  count(pattern: RegExp): number {
    return (this.stderr.match(new RegExp(pattern.source, 'g')) ?? []).length
  }

  async exit(): Promise<null | number> {
    if (this.child.exitCode !== null) return this.child.exitCode
    const [code] = (await once(this.child, 'exit')) as [null | number]
    return code
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<null | number> {
    if (this.child.exitCode !== null) return this.child.exitCode
    this.child.kill(signal)
    const [code] = (await once(this.child, 'exit')) as [null | number]
    return code
  }

  async until(pattern: RegExp, count = 1, timeoutMs = 20_000): Promise<void> {
    await waitFor(() => (this.count(pattern) >= count ? true : undefined), timeoutMs, `${pattern} x${count} in:\n${this.stderr}`)
  }
}

/** The watcher's own log of a target's schedule: each "valid until U; next prompt at N" (TZ=UTC). */
function schedule(stderr: string, target: string): Array<{next: number; until: number}> {
  const line = new RegExp(String.raw`\[${target}\] (?:refreshed: )?valid until (\S+ \S+) UTC .*; next prompt at (\S+ \S+) UTC`, 'g')
  return [...stderr.matchAll(line)].map(m => ({next: Date.parse(`${m[2].replace(' ', 'T')}Z`), until: Date.parse(`${m[1].replace(' ', 'T')}Z`)}))
}

async function expiration(box: Sandbox, target = 'default-mfa'): Promise<string | undefined> {
  const [{view}] = await botocoreView(box.credentialsFile)
  return view?.[target]?.expiration as string | undefined
}

describe('watch', () => {
  let motoUrl: string
  let box: Sandbox
  let running: Running[] = []

  before(async () => {
    motoUrl = (await getMoto()).url
  })

  beforeEach(async () => {
    box = await Sandbox.create()
  })

  afterEach(async () => {
    await Promise.all(running.map(r => r.stop('SIGKILL')))
    running = []
    await box.cleanup()
  })

  const watch = (args: string[], env: Record<string, string | undefined> = {}) => {
    const r = new Running(box.start(['watch', '--mfa-serial-number', SERIAL, ...args], {AWS_ENDPOINT_URL: motoUrl, ...env}))
    running.push(r)
    return r
  }

  it('refreshes on a fast schedule, each time later, and stops cleanly on SIGTERM', async function () {
    this.timeout(120_000)
    const w = watch(FAST)
    const seen = new Set<string>()
    // Each write is seen: a write comes every 4 s, and botocore reads the file in well under that.
    await waitFor(async () => {
      const e = await expiration(box)
      if (e) seen.add(e)
      return seen.size >= 3 && (await box.askpassCalls()).length >= 3 ? true : undefined
    }, 90_000, `three writes (seen ${seen.size}):\n${w.stderr}`)
    const prompts = (await box.askpassCalls()).length
    assert.ok(prompts >= 3, `only ${prompts} prompts`)
    const sorted = [...seen].sort()
    assert.deepEqual([...seen], sorted, 'each write must expire later than the one before')
    // Fast, as the watcher scheduled it: each next prompt 896 s before the 900 s session ends.
    const planned = schedule(w.stderr, 'default-mfa')
    assert.ok(planned.length >= 3, w.stderr)
    for (const {next, until} of planned) assert.equal(until - next, 896_000, w.stderr)
    const records = await listWatchers(box.credentialsFile)
    assert.deepEqual(records.map(r => [r.pid, r.targets]), [[w.child.pid, [{profile: 'default', target: 'default-mfa'}]]])

    const started = Date.now()
    assert.equal(await w.stop('SIGTERM'), 0)
    assert.ok(Date.now() - started < 1000, 'took longer than a second to stop')
    const [{view}] = await botocoreView(box.credentialsFile)
    assert.ok(view!['default-mfa'].aws_session_token)
    assert.deepEqual(view!.default, {aws_access_key_id: LONG_TERM.accessKeyId, aws_secret_access_key: LONG_TERM.secretAccessKey})
    const leftovers = (await fs.readdir(box.aws)).filter(f => f.endsWith('.tmp'))
    assert.deepEqual(leftovers, [])
    assert.deepEqual(await listWatchers(box.credentialsFile), [])
    assert.match(w.stderr, /\[default-mfa\] refreshed: valid until .*; next prompt at /)
    assert.match(w.stderr, /\[default-mfa\] stopped/)
    assert.ok(!w.stderr.includes('\u001B'), 'terminal control codes in a log that is not a terminal')
  })

  it('shows a live status line in a terminal: profile, valid until, next prompt in', async () => {
    const until = new Date(Date.now() + 3_600_000)
    await fs.appendFile(box.credentialsFile, `\n[default-mfa]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old\nexpiration = ${until.toISOString().replace(/\.\d+Z$/, 'Z')}\n`)
    const term = Terminal.open(`exec '${process.execPath}' '${BIN}' watch --mfa-serial-number ${SERIAL}`, box.env({AWS_ENDPOINT_URL: motoUrl}))
    try {
      await term.waitFor(/\r\u001B\[2Kdefault-mfa: valid until \d\d:\d\d \((?:59m \d+s|1h 0m) left\), next prompt in (?:5\dm \d+s|55m 0s)/)
      await term.waitFor(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \w+ \[default-mfa\] valid until/)
    } finally {
      term.child.kill('SIGTERM')
      await term.exit()
    }
  })

  it('reuses valid credentials at start: no prompt until they are due', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z')
    await fs.appendFile(box.credentialsFile, `\n[default-mfa]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old\nexpiration = ${until}\n`)
    const w = watch([])
    await w.until(/\[default-mfa\] valid until .*; next prompt at /)
    const decided = Date.now()
    // What it decided: no prompt until the default lead time (5 min) before they end.
    const [planned] = schedule(w.stderr, 'default-mfa')
    assert.equal(planned.until, Date.parse(until), w.stderr)
    assert.equal(planned.until - planned.next, 300_000, w.stderr)
    // And what it does: an observation window of at least 2 s from that decision, not a synchronisation.
    await waitFor(() => (Date.now() - decided >= 2000 ? true : undefined), 10_000, '2 s to pass')
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(await expiration(box), until)
    assert.equal(w.child.exitCode, null)
    assert.equal(await w.stop('SIGINT'), 0)
    assert.deepEqual(await box.askpassCalls(), [])
  })

  it('prompts within 30 s when the wall clock jumps past the refresh time (faketime)', async function () {
    this.timeout(60_000)
    assert.ok(existsSync(FAKETIME_LIB), 'libfaketime is missing: .ci/run installs Debian faketime')
    const stamp = path.join(box.root, 'faketime')
    await fs.writeFile(stamp, '+0\n')
    const until = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z')
    await fs.appendFile(box.credentialsFile, `\n[default-mfa]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old\nexpiration = ${until}\n`)
    const w = watch([], {
      DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1', FAKETIME_TIMESTAMP_FILE: stamp, LD_PRELOAD: FAKETIME_LIB,
    })
    await w.until(/\[default-mfa\] valid until/)
    await fs.writeFile(stamp, '+2h\n')
    const jumped = Date.now()
    await waitFor(async () => ((await box.askpassCalls()).length > 0 ? true : undefined), 35_000, 'a prompt after the clock jump')
    assert.ok(Date.now() - jumped <= 31_000, `prompted ${Date.now() - jumped} ms after the jump`)
    await w.until(/refreshed: valid until/)
  })

  it('waits out a retry interval on a monotonic clock: a clock stepped back an hour does not stall it (faketime)', async function () {
    this.timeout(60_000)
    assert.ok(existsSync(FAKETIME_LIB), 'libfaketime is missing: .ci/run installs Debian faketime')
    const stamp = path.join(box.root, 'faketime')
    await fs.writeFile(stamp, '+0\n')
    const w = watch(['--keep-going', '--prompt-retry-interval', '6'], {
      ASKPASS_EXIT: '1', DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1', FAKETIME_TIMESTAMP_FILE: stamp, LD_PRELOAD: FAKETIME_LIB,
    })
    await w.until(/prompt was cancelled.*trying again at/)
    await fs.writeFile(stamp, '-1h\n')
    const stepped = Date.now()
    await waitFor(async () => ((await box.askpassCalls()).length >= 2 ? true : undefined), 30_000, `a second prompt after the clock stepped back:\n${w.stderr}`)
    assert.ok(Date.now() - stepped <= 20_000, `asked again ${Date.now() - stepped} ms after the step`)
  })

  it('asks once per cycle when two watchers share a profile', async function () {
    this.timeout(120_000)
    const times = path.join(box.root, 'times')
    const a = watch(FAST, {ASKPASS_TIMES: times})
    const b = watch(FAST, {ASKPASS_TIMES: times})
    const stampsNow = async () => (await fs.readFile(times, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map(Number)
    await waitFor(async () => ((await stampsNow()).length >= 3 ? true : undefined), 90_000, `three prompts:\n${a.stderr}\n${b.stderr}`)
    // The prompts made while both ran: once one is stopped mid-prompt (before it writes), the
    // other rightly asks in its place, and that prompt is no second one of a cycle.
    const stamps = await stampsNow()
    assert.equal(await a.stop(), 0)
    assert.equal(await b.stop(), 0)
    assert.ok(stamps.length >= 3, `only ${stamps.length} prompts`)
    for (let i = 1; i < stamps.length; i++) {
      assert.ok(stamps[i] - stamps[i - 1] > 2, `two prompts ${(stamps[i] - stamps[i - 1]).toFixed(2)} s apart: both watchers asked in one cycle (${stamps.join(', ')}):\n${a.stderr}\n${b.stderr}`)
    }

    assert.ok(a.count(/valid until/) + b.count(/valid until/) > stamps.length, 'the waiting watcher should have found fresh credentials')
  })

  it('watches several profiles in one process, each on its own schedule', async function () {
    this.timeout(120_000)
    await fs.appendFile(box.credentialsFile, '\n[fast]\naws_access_key_id = AKIAFAST\naws_secret_access_key = fast/secret\n\n[slow]\naws_access_key_id = AKIASLOW\naws_secret_access_key = slow/secret\n')
    await fs.writeFile(box.configFile, `[profile fast]\nmfa_serial = ${SERIAL}\nduration_seconds = 900\n\n[profile slow]\nmfa_serial = arn:aws:iam::123456789012:mfa/slow\nduration_seconds = 1800\n`)
    const w = new Running(box.start(['watch', '-p', 'fast', '-p', 'slow', '--refresh-lead-time', '896'], {AWS_ENDPOINT_URL: motoUrl}))
    running.push(w)
    const asked = async (profile: string) => (await box.askpassCalls()).filter(c => c.includes(`for ${profile} `)).length
    // slow is refreshed once, and scheduled 904 s on; fast every 4 s on its own.
    await w.until(/\[slow-mfa\] refreshed: valid until .*; next prompt at /, 1, 60_000)
    const [slowPlan] = schedule(w.stderr, 'slow-mfa')
    assert.equal(slowPlan.until - slowPlan.next, 896_000, w.stderr)
    // The window is counted in fast's own cycles: two more prompts for fast after slow's refresh
    // (at least 8 s of its schedule), and slow is not asked again meanwhile.
    const fastAtSlow = await asked('fast')
    await waitFor(async () => ((await asked('fast')) >= Math.max(fastAtSlow + 2, 3) ? true : undefined), 90_000, `fast to be asked twice more:\n${w.stderr}`)
    const fast = await asked('fast')
    const slow = await asked('slow')
    assert.ok(fast >= 3, `fast was asked ${fast} times`)
    assert.equal(slow, 1)
    assert.ok(schedule(w.stderr, 'fast-mfa').every(p => p.until - p.next === 896_000), w.stderr)
    assert.ok(await expiration(box, 'fast-mfa'))
    assert.ok(await expiration(box, 'slow-mfa'))
    assert.equal(await w.stop(), 0)
  })

  it('re-reads the config file on SIGHUP, and keeps going when the new one is broken', async () => {
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n`)
    const w = new Running(box.start(['watch'], {AWS_ENDPOINT_URL: motoUrl}))
    running.push(w)
    await w.until(/refreshed: valid until/)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n[default]\n`)
    w.child.kill('SIGHUP')
    await w.until(/settings not reloaded: .*line 3/)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nduration_seconds = 900\n`)
    const looks = w.count(/valid until/)
    w.child.kill('SIGHUP')
    await w.until(/settings reloaded/)
    // The loop looks again at once, with the new settings (not at the old due time).
    await w.until(/valid until/, looks + 1, 15_000)
    assert.equal(w.child.exitCode, null)
    assert.equal(await w.stop(), 0)
  })

  it('logs JSON lines with --log-format json, and no secret anywhere', async () => {
    await box.setCodes('918273', '918273', '918273')
    const w = watch([...FAST, '--log-format', 'json'])
    await w.until(/"event":"valid"/, 2)
    assert.equal(await w.stop(), 0)
    const lines = w.stderr.trim().split('\n').map(l => JSON.parse(l))
    assert.deepEqual([...new Set(lines.map(l => l.event))].sort(), ['prompting', 'started', 'stopped', 'valid'])
    const valid = lines.find(l => l.event === 'valid')
    assert.match(valid.expiration, /Z$/)
    assert.equal(valid.target, 'default-mfa')
    const keys = await (await getMoto()).sessionKeys()
    for (const secret of [keys.SecretAccessKey, keys.SessionToken, LONG_TERM.secretAccessKey, '918273']) assert.ok(!w.stderr.includes(secret), `a secret in the log:\n${w.stderr}`)
  })

  it('exits 3 on a cancelled prompt; with --keep-going asks again later instead', async () => {
    const w = watch([], {ASKPASS_EXIT: '1'})
    assert.equal(await w.exit(), 3)
    assert.match(w.stderr, /prompt was cancelled/)
    assert.deepEqual(await listWatchers(box.credentialsFile), [])

    const k = watch(['--keep-going', '--prompt-retry-interval', '2'], {ASKPASS_EXIT: '1'})
    await k.until(/prompt was cancelled.*trying again at/, 2, 15_000)
    assert.equal(k.child.exitCode, null)
    assert.equal(await k.stop(), 0)
  })

  it('refuses settings that would prompt without end, and --target-profile with several profiles', async () => {
    const lead = await box.run(['watch', '--mfa-serial-number', SERIAL, '--duration', '900', '--refresh-lead-time', '900'], {AWS_ENDPOINT_URL: motoUrl})
    assert.equal(lead.code, 2)
    assert.match(lead.stderr, /must be shorter than the session/)
    const target = await box.run(['watch', '--mfa-serial-number', SERIAL, '-p', 'a', '-p', 'b', '--target-profile', 'x'], {AWS_ENDPOINT_URL: motoUrl})
    assert.equal(target.code, 2)
    assert.match(target.stderr, /--target-profile names one target/)
    const keys = await box.run(['watch', '--mfa-serial-number', SERIAL, '-p', 'missing'], {AWS_ENDPOINT_URL: motoUrl})
    assert.equal(keys.code, 6)
    assert.match(keys.stderr, /no \[missing\] section/)
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})

describe('watch against a failing STS', () => {
  const t = sandboxWithStub()

  it('retries 500s and throttling with backoff, sending the code it has: one prompt', async () => {
    t.stub.push(
      StsStub.error(500, 'InternalFailure', 'boom'),
      StsStub.error(500, 'InternalFailure', 'boom'),
      StsStub.error(400, 'Throttling', 'Rate exceeded'),
    )
    const w = new Running(t.box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: t.stub.url}))
    try {
      await w.until(/refreshed: valid until/, 1, 30_000)
      assert.equal((await t.box.askpassCalls()).length, 1)
      assert.match(w.stderr, /STS is failing \(Throttling.*retrying in \d+s with the same code/)
      assert.ok(t.stub.requests.length >= 4)
      assert.ok(t.stub.requests.every(r => r.form.TokenCode === '123456'))
    } finally {
      assert.equal(await w.stop(), 0)
    }
  })

  it('notices within a minute when another writer puts a shorter session into its target, and refreshes when that one is due', async function () {
    this.timeout(120_000)
    t.stub.fallback = StsStub.success({expiration: new Date(Date.now() + (12 * 3_600_000))})
    const w = new Running(t.box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: t.stub.url}))
    try {
      await w.until(/refreshed: valid until/, 1, 30_000)
      // Another tool writes a session that has already ended (or ends within the lead time).
      const text = await t.box.readCredentials()
      await fs.writeFile(t.box.credentialsFile, text.replace(/^expiration = .*$/m, 'expiration = 2020-01-01T00:00:00Z'))
      await w.until(/refreshed: valid until/, 2, 75_000)
      assert.equal(t.stub.requests.filter(r => r.form.Action === 'GetSessionToken').length, 2)
    } finally {
      assert.equal(await w.stop(), 0)
    }
  })

  it('waits out STS backoff on a monotonic clock: a clock stepped back an hour does not stall "retrying in" (faketime)', async function () {
    this.timeout(90_000)
    assert.ok(existsSync(FAKETIME_LIB), 'libfaketime is missing: .ci/run installs Debian faketime')
    const stamp = path.join(t.box.root, 'faketime')
    await fs.writeFile(stamp, '+0\n')
    t.stub.fallback = StsStub.error(503, 'ServiceUnavailable', 'down')
    const w = new Running(t.box.start(['watch', '--mfa-serial-number', SERIAL], {
      AWS_ENDPOINT_URL: t.stub.url, DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1', FAKETIME_TIMESTAMP_FILE: stamp, LD_PRELOAD: FAKETIME_LIB,
    }))
    try {
      // The fourth backoff is 4-8 s: long enough to step the clock back in the middle of it.
      await w.until(/retrying in \d+s/, 4, 60_000)
      await fs.writeFile(stamp, '-1h\n')
      t.stub.fallback = StsStub.success()
      await w.until(/refreshed: valid until/, 1, 30_000)
    } finally {
      assert.equal(await w.stop(), 0)
    }
  })

  it('backs off when STS sends credentials that have already expired, saying the clock is off', async function () {
    this.timeout(60_000)
    const answer = StsStub.success() as {body: string; status: number}
    const past = new Date(Date.now() - 3_600_000).toISOString()
    t.stub.fallback = {...answer, body: answer.body.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${past}</Expiration>`)}
    const w = new Running(t.box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: t.stub.url}))
    try {
      await w.until(/clock .* off by more than/, 1, 30_000)
      const first = t.stub.requests.length
      // An observation window, not a synchronisation: how many calls does it make in 8 s?
      await new Promise(resolve => {
        setTimeout(resolve, 8000)
      })
      assert.ok(t.stub.requests.length - first <= 5, `${t.stub.requests.length - first} STS calls in 8 s:\n${w.stderr}`)
      assert.equal(w.child.exitCode, null)
      assert.match(w.stderr, /retrying in \d+s/)
      assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
    } finally {
      assert.equal(await w.stop(), 0)
    }
  })

  it('does not retry what retrying cannot fix: AccessDenied, unknown or expired keys exit 4 at once', async () => {
    for (const [code, message] of [['AccessDenied', 'User is not authorized to perform: sts:GetSessionToken'], ['InvalidClientTokenId', 'The security token included in the request is invalid.'], ['ExpiredToken', 'The security token included in the request is expired']]) {
      t.stub.requests.length = 0
      t.stub.fallback = StsStub.error(403, code, message)
      const w = new Running(t.box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: t.stub.url}))
      assert.equal(await w.exit(), 4, w.stderr)
      assert.equal(t.stub.requests.length, 1, `${code}: retried`)
      assert.doesNotMatch(w.stderr, /retrying/)
      assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
    }
  })

  it('exits on the first failure with --exit-on-error, as the seed did', async () => {
    t.stub.fallback = StsStub.error(500, 'InternalFailure', 'boom')
    const w = new Running(t.box.start(['watch', '--mfa-serial-number', SERIAL, '--exit-on-error'], {AWS_ENDPOINT_URL: t.stub.url}))
    assert.equal(await w.exit(), 5)
    assert.equal(t.stub.requests.length, 3, 'only the SDK\'s own retries')
    assert.match(w.stderr, /STS is failing \(InternalFailure, HTTP 500\)/)
  })

  it('asks again for a code STS rejects, then exits 4 after three', async () => {
    t.stub.fallback = StsStub.error(403, 'AccessDenied', 'MultiFactorAuthentication failed with invalid MFA one time pass code.')
    await t.box.setCodes('111111', '222222', '333333')
    const w = new Running(t.box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: t.stub.url}))
    assert.equal(await w.exit(), 4)
    assert.equal((await t.box.askpassCalls()).length, 3)
    assert.deepEqual(t.stub.requests.map(r => r.form.TokenCode), ['111111', '222222', '333333'])
    assert.match(w.stderr, /AWS rejected the code; asking again \(2 tries left\)/)
    assert.match(w.stderr, /STS rejected the MFA code/)
    assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})
