import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {
  botocoreCreds, botocoreView, getMoto, Moto, PythonLockHolder, StsStub,
} from '../support/peers.js'
import {
  collect, DEFAULT_CREDENTIALS, LONG_TERM, RunResult, Sandbox, sandboxWithStub, SERIAL,
} from '../support/sandbox.js'

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

const execFileP = promisify(execFile)
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/

function secondsFromNow(expiration: string): number {
  return (Date.parse(expiration) - Date.now()) / 1000
}

function assertNoSecret(result: RunResult, ...secrets: string[]): void {
  for (const secret of [LONG_TERM.secretAccessKey, ...secrets]) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `a secret appeared in the output:\n${result.stdout}\n${result.stderr}`)
  }
}

describe('refresh-once against moto_server', () => {
  let moto: Moto
  let box: Sandbox

  before(async () => {
    moto = await getMoto()
  })

  beforeEach(async () => {
    box = await Sandbox.create()
  })

  afterEach(() => box.cleanup())

  const run = (args: string[], env: Record<string, string | undefined> = {}) => box.run(args, {AWS_ENDPOINT_URL: moto.url, ...env})

  it('writes [default-mfa] with the keys STS returned, which botocore and the aws CLI use', async () => {
    await box.setCodes('987654')
    const result = await run(['refresh-once', '--mfa-serial-number', SERIAL, '--json'])
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.equal(json.action, 'refreshed')
    assert.equal(json.targetProfile, 'default-mfa')
    assert.match(json.expiration, RFC3339)

    const keys = await moto.sessionKeys()
    const creds = await botocoreCreds(box.credentialsFile, 'default-mfa')
    assert.deepEqual(creds, {
      access_key: keys.AccessKeyId, method: 'shared-credentials-file', secret_key: keys.SecretAccessKey, token: keys.SessionToken,
    })
    const [{view}] = await botocoreView(box.credentialsFile)
    assert.equal(view!['default-mfa'].expiration, json.expiration)
    assert.ok(Math.abs(secondsFromNow(json.expiration) - 43_200) < 60, 'STS chose its default duration')
    assert.deepEqual(view!.default, {aws_access_key_id: LONG_TERM.accessKeyId, aws_secret_access_key: LONG_TERM.secretAccessKey})
    assert.deepEqual(await box.askpassCalls(), [`Enter MFA token for default from device ${SERIAL}`])
    assertNoSecret(result, keys.SecretAccessKey, keys.SessionToken, '987654')

    const {stdout} = await execFileP(
      'aws',
      ['sts', 'get-caller-identity', '--profile', 'default-mfa', '--region', 'us-east-1', '--endpoint-url', moto.url, '--output', 'json'],
      {env: {...box.env(), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: box.credentialsFile}},
    )
    assert.match(JSON.parse(stdout).Account, /^\d{12}$/)
  })

  it('does not prompt or rewrite while the credentials are fresh; --force does', async () => {
    assert.equal((await run(['refresh-once', '--mfa-serial-number', SERIAL])).code, 0)
    const written = await fs.stat(box.credentialsFile)
    const text = await box.readCredentials()

    const second = await run(['refresh-once', '--mfa-serial-number', SERIAL])
    assert.equal(second.code, 0)
    assert.match(second.stdout, /\[default-mfa\] is still valid until .* left\); nothing to do\./)
    assert.equal((await box.askpassCalls()).length, 1)
    const after = await fs.stat(box.credentialsFile)
    assert.equal(after.ino, written.ino, 'the file was replaced')
    assert.equal(await box.readCredentials(), text)

    const forced = await run(['refresh-once', '--mfa-serial-number', SERIAL, '--force', '--duration', '3600'])
    assert.equal(forced.code, 0, forced.stderr)
    assert.match(forced.stdout, /refreshed: valid until/)
    assert.equal((await box.askpassCalls()).length, 2)
    const [{view}] = await botocoreView(box.credentialsFile)
    assert.ok(Math.abs(secondsFromNow(view!['default-mfa'].expiration as string) - 3600) < 60)
  })

  it('takes an expiration another tool wrote with an offset that moves the date across midnight as fresh: no prompt', async () => {
    // Two hours from now, written in the zone 12 hours away whose date differs from UTC's.
    const until = new Date(Date.now() + 7_200_000)
    const east = until.getUTCHours() >= 12
    const local = new Date(until.getTime() + ((east ? 12 : -12) * 3_600_000)).toISOString().replace(/\.\d+Z$/, '')
    const stamp = `${local}${east ? '+12:00' : '-12:00'}`
    assert.notEqual(stamp.slice(0, 10), until.toISOString().slice(0, 10))
    const text = `${DEFAULT_CREDENTIALS}\n[default-mfa]\naws_access_key_id = ASIAOTHER\naws_secret_access_key = other/secret\naws_session_token = other-token\nexpiration = ${stamp}\n`
    await fs.writeFile(box.credentialsFile, text)
    const result = await run(['refresh-once', '--mfa-serial-number', SERIAL])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /\[default-mfa\] is still valid until .*; nothing to do\./)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(await box.readCredentials(), text)
  })

  it('takes a target that lacks its secret or token as due, whatever its expiration says; status calls it incomplete', async () => {
    // (A key and a secret without a token are long-term keys, refused as a target: errors.test.ts.)
    for (const section of ['aws_access_key_id = ASIAHALFHALFHALF0001', 'aws_access_key_id = ASIAHALFHALFHALF0001\naws_session_token = half==']) {
      await fs.writeFile(box.credentialsFile, `${DEFAULT_CREDENTIALS}\n[default-mfa]\n${section}\nexpiration = 2030-01-01T00:00:00Z\n`)
      const status = JSON.parse((await run(['status', '--json'])).stdout)
      assert.equal(status.profiles[0].state, 'incomplete')
      const result = await run(['refresh-once', '--mfa-serial-number', SERIAL])
      assert.equal(result.code, 0, result.stderr)
      assert.match(result.stdout, /refreshed/)
      assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
    }
  })

  it('refreshes when the lead time reaches the expiration', async () => {
    assert.equal((await run(['refresh-once', '--mfa-serial-number', SERIAL, '--duration', '900'])).code, 0)
    const again = await run(['refresh-once', '--mfa-serial-number', SERIAL, '--refresh-lead-time', '1000'])
    assert.equal(again.code, 0)
    assert.match(again.stdout, /refreshed/)
    assert.equal((await box.askpassCalls()).length, 2)
  })

  it('takes the serial and duration from the config file; flags win', async () => {
    await fs.writeFile(box.configFile, `[default]\nregion = eu-west-1\nmfa_serial = ${SERIAL}\nduration_seconds = 1800\n\n[profile work]\nmfa_serial = arn:aws:iam::123456789012:mfa/work\n`)
    const fromConfig = await run(['refresh-once', '--json'])
    assert.equal(fromConfig.code, 0, fromConfig.stderr)
    assert.ok(Math.abs(secondsFromNow(JSON.parse(fromConfig.stdout).expiration) - 1800) < 60)

    const flagsWin = await run(['refresh-once', '--json', '--force', '--duration', '7200', '--mfa-serial-number', 'arn:aws:iam::123456789012:mfa/flag'])
    assert.equal(flagsWin.code, 0, flagsWin.stderr)
    assert.ok(Math.abs(secondsFromNow(JSON.parse(flagsWin.stdout).expiration) - 7200) < 60)
    assert.deepEqual(await box.askpassCalls(), [
      `Enter MFA token for default from device ${SERIAL}`,
      'Enter MFA token for default from device arn:aws:iam::123456789012:mfa/flag',
    ])

    await fs.appendFile(box.credentialsFile, '\n[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = work/secret\n')
    const work = await run(['refresh-once', '-p', 'work', '--json'])
    assert.equal(work.code, 0, work.stderr)
    assert.equal(JSON.parse(work.stdout).targetProfile, 'work-mfa')
    assert.equal((await box.askpassCalls()).at(-1), 'Enter MFA token for work from device arn:aws:iam::123456789012:mfa/work')
  })

  it('honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE elsewhere, with the lock beside the credentials file', async () => {
    const elsewhere = path.join(box.root, 'elsewhere')
    await fs.mkdir(elsewhere)
    const creds = path.join(elsewhere, 'creds')
    const config = path.join(box.root, 'cfg', 'config')
    await fs.mkdir(path.dirname(config))
    await fs.writeFile(creds, DEFAULT_CREDENTIALS)
    await fs.writeFile(config, `[default]\nmfa_serial = ${SERIAL}\n`)
    await fs.rm(box.credentialsFile)
    // Other tools lock beside the credentials file too: python flock and lockf holders there delay the write.
    const lock = path.join(elsewhere, '.credentials.lock')
    const flockHolder = await PythonLockHolder.hold(lock, 'flock')
    const lockfHolder = await PythonLockHolder.hold(lock, 'lockf')
    const child = box.start(['refresh-once'], {AWS_CONFIG_FILE: config, AWS_ENDPOINT_URL: moto.url, AWS_SHARED_CREDENTIALS_FILE: creds})
    const done = collect(child)
    await sleep(1500)
    await flockHolder.release()
    await sleep(1500)
    assert.equal(await fs.readFile(creds, 'utf8'), DEFAULT_CREDENTIALS, 'written while fcntl.lockf held the lock')
    assert.equal(child.exitCode, null)
    assert.equal((await box.askpassCalls()).length, 0, 'the read that decides to prompt waits for the lock')
    await lockfHolder.release()
    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assert.ok((await botocoreCreds(creds, 'default-mfa'))?.token)
    await fs.access(path.join(elsewhere, '.credentials.lock'))
    assert.deepEqual(await fs.readdir(box.aws), [])
  })

  it('writes through a symlinked credentials file, keeping the link and the lock beside it', async () => {
    const real = path.join(box.root, 'dotfiles', 'aws-credentials')
    await fs.mkdir(path.dirname(real))
    await fs.rename(box.credentialsFile, real)
    await fs.symlink(real, box.credentialsFile)
    const result = await run(['refresh-once', '--mfa-serial-number', SERIAL])
    assert.equal(result.code, 0, result.stderr)
    assert.ok((await fs.lstat(box.credentialsFile)).isSymbolicLink())
    assert.ok((await botocoreCreds(real, 'default-mfa'))?.token)
    await fs.access(box.lockFile)
    assert.deepEqual(await fs.readdir(path.dirname(real)), ['aws-credentials'])
  })
})

describe('refresh-once: long-term keys come from [PROFILE] only', () => {
  it('ignores AWS_PROFILE and AWS_* key variables, and signs with the keys of [default]', async () => {
    const stub = await StsStub.start()
    const box = await Sandbox.create()
    try {
      const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], {
        AWS_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT',
        AWS_ENDPOINT_URL: stub.url,
        AWS_PROFILE: 'default-mfa',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
        AWS_SESSION_TOKEN: 'env-token',
      })
      assert.equal(result.code, 0, result.stderr)
      assert.equal(stub.requests.length, 1)
      assert.match(stub.requests[0].authorization, new RegExp(`Credential=${LONG_TERM.accessKeyId}/`))
      assert.equal(stub.requests[0].form.Action, 'GetSessionToken')
      assert.equal(stub.requests[0].form.SerialNumber, SERIAL)
      assert.equal(stub.requests[0].form.TokenCode, '123456')
      assert.equal(stub.requests[0].form.DurationSeconds, undefined, 'STS chooses the duration by default')
    } finally {
      await stub.stop()
      await box.cleanup()
    }
  })
})

/** GetSessionToken's answer, with the Expiration element as STS (or something posing as it) wrote it. */
function answerExpiring(expiration: string, keys: Parameters<typeof StsStub.success>[0] = {}) {
  const answer = StsStub.success(keys) as {body: string; status: number}
  return {...answer, body: answer.body.replace(/<Expiration>[^<]*<\/Expiration>/, `<Expiration>${expiration}</Expiration>`)}
}

describe('refresh-once: what STS answers is checked before anything is written', () => {
  const t = sandboxWithStub()
  const run = () => t.box.run(['refresh-once', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: t.stub.url})
  const inHours = (hours: number) => new Date(Date.now() + (hours * 3_600_000)).toISOString()

  it('refuses an expiration it could not write or read back: not a date, past year 9999', async () => {
    for (const expiration of ['10000-01-01T00:00:00Z', 'soon']) {
      t.stub.fallback = answerExpiring(expiration)
      const result = await run()
      assert.equal(result.code, 5, `${expiration}: ${result.stderr}`)
      assert.match(result.stderr, /STS sent credentials that cannot be written|could not be read/, expiration)
      assert.doesNotMatch(result.stderr, /InternalError|\+010000/, expiration)
      assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS, expiration)
    }
  })

  it('refuses keys the credentials file cannot hold (spaces, control or non-ASCII characters), naming none of them', async () => {
    const bad = [{accessKeyId: 'ASIA STUB0001'}, {secretAccessKey: 'stub/s\u00E9cret+Key000000000000000000000'}, {sessionToken: 'FwoGZXIvYXdz\tStubToken'}]
    for (const keys of bad) {
      t.stub.fallback = answerExpiring(inHours(12), keys)
      const result = await run()
      assert.equal(result.code, 5, `${JSON.stringify(keys)}: ${result.stderr}`)
      assert.match(result.stderr, /STS sent credentials that cannot be written: the (access key ID|secret access key|session token) is not printable ASCII without spaces/)
      assertNoSecret(result, ...Object.values(keys))
      assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
    }
  })

  it('says the clock is off when STS sends credentials that have already expired, and writes nothing', async () => {
    t.stub.fallback = answerExpiring(inHours(-1))
    const result = await run()
    assert.equal(result.code, 5, result.stderr)
    assert.match(result.stderr, /expired 1h 0m ago by this machine's clock: .*clock .* off by more than 1h 0m/)
    assert.match(result.stderr, /NTP/)
    assert.equal(await t.box.readCredentials(), DEFAULT_CREDENTIALS)
  })
})

describe('refresh-once: endpoints, region and timeout are checked before the prompt', () => {
  let box: Sandbox

  beforeEach(async () => {
    box = await Sandbox.create()
  })

  afterEach(() => box.cleanup())

  async function refused(env: Record<string, string>, config: string | undefined, message: RegExp, secret?: string): Promise<void> {
    if (config !== undefined) await fs.writeFile(box.configFile, config)
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], env)
    assert.equal(result.code, 6, `${JSON.stringify(env)}: ${result.stderr}`)
    assert.match(result.stderr, message)
    assert.deepEqual(await box.askpassCalls(), [], 'asked for a code that could never be used')
    assert.equal(await box.readCredentials(), DEFAULT_CREDENTIALS)
    if (secret) assertNoSecret(result, secret)
  }

  it('refuses an endpoint URL from the environment that is not http(s) with a host, never echoing its userinfo', async () => {
    await refused({AWS_ENDPOINT_URL_STS: 'not a url'}, undefined, /AWS_ENDPOINT_URL_STS is not a URL/)
    await refused({AWS_ENDPOINT_URL: 'ftp://alice:Hunter2Secret@sts.example.com/'}, undefined, /AWS_ENDPOINT_URL uses ftp:, not http or https/, 'Hunter2Secret')
    await refused({AWS_ENDPOINT_URL_STS: 'https://alice:Hunter2Secret@'}, undefined, /AWS_ENDPOINT_URL_STS/, 'Hunter2Secret')
    await refused({AWS_ENDPOINT_URL_STS: 'http:///path'}, undefined, /AWS_ENDPOINT_URL_STS .*(no host|not a URL)/)
  })

  it('refuses an endpoint_url from the config file, in the profile or its services block, naming where it is', async () => {
    await refused({}, '[default]\nendpoint_url = localhost:4566\n', /endpoint_url in \[default\] of .*config.* (uses localhost:|is not a URL)/)
    await refused({}, '[default]\nservices = local\n\n[services local]\nsts =\n  endpoint_url = https://\n', /endpoint_url for sts in \[services local\] of .*config/)
  })

  it('refuses MFA_CREDS_STS_TIMEOUT that is not a positive number of seconds, and a region that is not one', async () => {
    await refused({MFA_CREDS_STS_TIMEOUT: 'abc'}, undefined, /MFA_CREDS_STS_TIMEOUT is "abc", which is not a positive number of seconds/)
    await refused({MFA_CREDS_STS_TIMEOUT: '-5'}, undefined, /MFA_CREDS_STS_TIMEOUT/)
    await refused({AWS_REGION: 'us east 1'}, undefined, /AWS_REGION is "us east 1", which is not a region name/)
  })
})
