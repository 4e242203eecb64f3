import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import path from 'node:path'

import {formBody} from '../../../src/core/aws/sts-query.js'
import {
  assumeRole, getCallerIdentity, getSessionToken, queryTarget, SessionRequest,
} from '../../../src/core/aws/sts.js'
import {AbortedError, StsRefusedError, StsUnavailableError} from '../../../src/core/errors.js'
import {
  getMoto, motoAssumedRoles, StsStub, StubAnswer, StubRequest, SUPPORT,
} from '../../support/peers.js'

const KEYS = {accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}
const SESSION = {...KEYS, sessionToken: 'FwoGZXIvYXdzEXAMPLE+session/token=='}
const SERIAL = 'arn:aws:iam::123456789012:mfa/alice'
const CODE = '918273'
const ROLE = 'arn:aws:iam::123456789012:role/admin'

function sessionRequest(endpoint: string, extra: Partial<SessionRequest> = {}): SessionRequest {
  return {
    credentials: KEYS, credentialsProfile: 'default', endpoint, mfa: {code: CODE, serial: SERIAL}, region: 'eu-west-1', ...extra,
  }
}

function withHeaders(answer: StubAnswer, headers: Record<string, string>): StubAnswer {
  if (answer === 'close') throw new Error('a closed connection has no headers')
  return {...answer, headers}
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }

  assert.fail('the call succeeded')
}

/** What botocore (an implementation of its own) computes for the request the stub saw. */
function botocoreSignature(seen: StubRequest, url: string, credentials: {accessKeyId: string; secretAccessKey: string; sessionToken?: string}, region: string) {
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(seen.authorization)![1].split(';')
  const input = {
    ...credentials, body: seen.body, headers: seen.headers, method: seen.method, region, service: 'sts', signedHeaders, url: new URL(seen.path, url).href,
  }
  const out = execFileSync('python3', [path.join(SUPPORT, 'sigv4_check.py')], {encoding: 'utf8', input: JSON.stringify(input)})
  return JSON.parse(out) as {scope: string; signature: string; signedHeaders: string}
}

const SIGV4 = /^AWS4-HMAC-SHA256 Credential=(\w+)\/(\d{8})\/([\w-]+)\/sts\/aws4_request, SignedHeaders=([\w;-]+), Signature=([\da-f]{64})$/

describe('sts-query: STS without the AWS SDK', () => {
  let stub: StsStub
  const saved = process.env.MFA_CREDS_STS_TIMEOUT

  beforeEach(async () => {
    stub = await StsStub.start()
    stub.fallback = StsStub.error(500, 'InternalFailure', 'unexpected extra call')
  })

  afterEach(async () => {
    await stub.stop()
    if (saved === undefined) delete process.env.MFA_CREDS_STS_TIMEOUT
    else process.env.MFA_CREDS_STS_TIMEOUT = saved
  })

  describe('against moto_server', () => {
    it('gets the session credentials moto issues, with the expiration it says', async () => {
      const moto = await getMoto()
      const credentials = await getSessionToken(sessionRequest(moto.url, {durationSeconds: 900}))
      const keys = await moto.sessionKeys()
      assert.deepEqual([credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken], [keys.AccessKeyId, keys.SecretAccessKey, keys.SessionToken])
      assert.ok(Math.abs(credentials.expiration.getTime() - Date.now() - 900_000) < 60_000, `expiration ${credentials.expiration.toISOString()}`)
    })

    it('assumes a role with the external ID and session name moto records, signed by an MFA session', async () => {
      const moto = await getMoto()
      const credentials = await assumeRole({
        credentials: SESSION, credentialsProfile: 'default-mfa', endpoint: moto.url, externalId: 'ext&id=1', region: 'us-east-1', roleArn: ROLE, sessionName: 'sts-query-test',
      })
      assert.match(credentials.accessKeyId, /^ASIA/)
      const roles = await motoAssumedRoles(moto.url)
      assert.ok(roles.some(r => r.role_arn === ROLE && r.session_name === 'sts-query-test' && r.external_id === 'ext&id=1'), JSON.stringify(roles))
    })

    it('says who the keys belong to', async () => {
      const moto = await getMoto()
      const {account, arn} = await getCallerIdentity({
        credentials: KEYS, credentialsProfile: 'default', endpoint: moto.url, region: 'us-east-1',
      })
      assert.equal(account, '123456789012')
      assert.match(arn, /^arn:aws:sts::123456789012:/)
    })
  })

  describe('what goes on the wire', () => {
    it('POSTs the form to the endpoint path, SigV4-signed for the region, which botocore computes alike', async () => {
      stub.push(StsStub.success())
      await getSessionToken(sessionRequest(`${stub.url}/prefix/sts/`, {durationSeconds: 3600, mfa: {code: CODE, serial: "arn:aws:iam::123456789012:mfa/al ice+!*()'~"}}))
      assert.equal(stub.requests.length, 1)
      const [seen] = stub.requests
      assert.equal(seen.method, 'POST')
      assert.equal(seen.path, '/prefix/sts/')
      assert.equal(seen.body, `Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fal%20ice%2B%21%2A%28%29%27~&TokenCode=${CODE}`)
      assert.equal(seen.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8')
      assert.equal(seen.headers.host, new URL(stub.url).host)
      assert.match(String(seen.headers['user-agent']), /^mfa-creds /)
      const m = SIGV4.exec(seen.authorization)
      assert.ok(m, seen.authorization)
      assert.deepEqual([m[1], m[3]], [KEYS.accessKeyId, 'eu-west-1'])
      for (const name of ['content-type', 'host', 'x-amz-date']) assert.ok(m[4].split(';').includes(name), `${name} is not signed: ${m[4]}`)
      const botocore = botocoreSignature(seen, stub.url, KEYS, 'eu-west-1')
      assert.equal(botocore.signature, m[5])
      assert.equal(botocore.signedHeaders, m[4])
      assert.equal(`${m[2]}/eu-west-1/sts/aws4_request`, botocore.scope)
    })

    it('sends what the SDK sends for the same call: the same form, the same credential scope', async () => {
      stub.push(StsStub.success(), StsStub.success())
      await getSessionToken(sessionRequest(stub.url, {durationSeconds: 900}))
      await getSessionToken(sessionRequest(stub.url, {durationSeconds: 900, viaSdk: true}))
      const [ours, sdk] = stub.requests
      assert.equal(ours.body, sdk.body)
      const scope = (seen: StubRequest) => SIGV4.exec(seen.authorization)!.slice(1, 4)
      assert.deepEqual(scope(ours), scope(sdk))
      assert.doesNotMatch(String(ours.headers['user-agent']), /aws-sdk/)
      assert.match(String(sdk.headers['user-agent']), /aws-sdk/, 'the second call did not go through the SDK')
      for (const seen of [ours, sdk]) assert.equal(botocoreSignature(seen, stub.url, KEYS, 'eu-west-1').signature, SIGV4.exec(seen.authorization)![5])
    })

    it('signs AssumeRole with an MFA session: its token goes in x-amz-security-token, signed', async () => {
      stub.push(StsStub.success({}, 'AssumeRole'))
      const credentials = await assumeRole({
        credentials: SESSION, credentialsProfile: 'default-mfa', endpoint: stub.url, region: 'ap-south-1', roleArn: ROLE, sessionName: 'ops',
      })
      assert.equal(credentials.accessKeyId, 'ASIASTUBSTUBSTUB0001')
      const [seen] = stub.requests
      assert.equal(seen.body, `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=ops`)
      assert.equal(seen.headers['x-amz-security-token'], SESSION.sessionToken)
      const m = SIGV4.exec(seen.authorization)!
      assert.ok(m[4].split(';').includes('x-amz-security-token'))
      assert.equal(m[3], 'ap-south-1')
      assert.equal(botocoreSignature(seen, stub.url, SESSION, 'ap-south-1').signature, m[5])
    })

    it('encodes a form as the SDK does: every character but A-Z a-z 0-9 - _ . ~ escaped, nothing undefined', () => {
      assert.equal(formBody({A: "a b&c=d/é!'()*~", B: undefined, C: 0}), 'A=a%20b%26c%3Dd%2F%C3%A9%21%27%28%29%2A~&C=0')
    })

    it('goes where the SDK\'s rules go when no endpoint is configured, and leaves to the SDK what is not plain', () => {
      const at = (region: string, extra = {}) => queryTarget({
        credentials: KEYS, credentialsProfile: 'default', region, ...extra,
      })
      assert.deepEqual(at('eu-west-1'), {signingRegion: 'eu-west-1', url: 'https://sts.eu-west-1.amazonaws.com'})
      assert.deepEqual(at('cn-north-1'), {signingRegion: 'cn-north-1', url: 'https://sts.cn-north-1.amazonaws.com.cn'})
      assert.deepEqual(at('us-gov-west-1'), {signingRegion: 'us-gov-west-1', url: 'https://sts.us-gov-west-1.amazonaws.com'})
      assert.deepEqual(at('aws-global'), {signingRegion: 'us-east-1', url: 'https://sts.amazonaws.com'})
      for (const region of ['us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'eusc-de-east-1', 'aws-cn-global', 'mars-north-1', 'US-EAST-1']) assert.equal(at(region), undefined, region)
      assert.equal(at('eu-west-1', {viaSdk: true}), undefined)
      assert.deepEqual(at('eu-west-1', {endpoint: 'http://localhost:4566/sts'}), {signingRegion: 'eu-west-1', url: 'http://localhost:4566/sts'})
    })
  })

  describe('retries as the SDK\'s standard mode, never after a refusal', () => {
    it('tries again after a 5xx, and the second answer counts', async () => {
      stub.push(StsStub.error(503, 'ServiceUnavailable', 'busy'), StsStub.success())
      const credentials = await getSessionToken(sessionRequest(stub.url))
      assert.equal(credentials.accessKeyId, 'ASIASTUBSTUBSTUB0001')
      assert.equal(stub.requests.length, 2)
    })

    it('gives up after 3 attempts: STS is failing (exit 5)', async () => {
      stub.push(...Array.from({length: 3}, () => StsStub.error(500, 'InternalFailure', 'oops')))
      const error = await failure(getSessionToken(sessionRequest(stub.url)))
      assert.ok(error instanceof StsUnavailableError)
      assert.match(error.message, /STS is failing \(InternalFailure, HTTP 500\): oops/)
      assert.equal(stub.requests.length, 3)
    })

    it('sends a refused code once only: 403 AccessDenied is not retried', async () => {
      stub.push(StsStub.error(403, 'AccessDenied', `MultiFactorAuthentication failed with invalid MFA one time pass code. Code ${CODE} was wrong.`))
      const error = await failure(getSessionToken(sessionRequest(stub.url)))
      assert.ok(error instanceof StsRefusedError)
      assert.match(error.message, /STS rejected the MFA code/)
      assert.ok(!error.message.includes(CODE), error.message)
      assert.equal(stub.requests.length, 1)
    })

    it('waits out throttling (400 Throttling, 429) and succeeds', async () => {
      stub.push(StsStub.error(400, 'Throttling', 'Rate exceeded'), StsStub.error(429, 'TooManyRequests', 'slow down'), StsStub.success())
      assert.ok(await getSessionToken(sessionRequest(stub.url)))
      assert.equal(stub.requests.length, 3)
    })

    it('waits as long as STS asks (x-amz-retry-after, ms)', async () => {
      stub.push(withHeaders(StsStub.error(503, 'ServiceUnavailable', 'busy'), {'x-amz-retry-after': '400'}), StsStub.success())
      const started = performance.now()
      await getSessionToken(sessionRequest(stub.url))
      assert.ok(performance.now() - started >= 380, `retried after ${performance.now() - started} ms`)
    })

    it('tries again after a closed connection; three are "cannot reach"', async () => {
      stub.push('close', StsStub.success())
      assert.ok(await getSessionToken(sessionRequest(stub.url)))
      assert.equal(stub.requests.length, 2)

      stub.requests.length = 0
      stub.push('close', 'close', 'close')
      const error = await failure(getSessionToken(sessionRequest(stub.url)))
      assert.ok(error instanceof StsUnavailableError)
      assert.match(error.message, /^cannot reach http:\/\/127\.0\.0\.1:\d+: /)
      assert.equal(stub.requests.length, 3)
    })

    it('abandons an answer slower than MFA_CREDS_STS_TIMEOUT, three times, then says so', async () => {
      process.env.MFA_CREDS_STS_TIMEOUT = '0.3'
      stub.push(...Array.from({length: 3}, () => ({...(StsStub.success() as {body: string; status: number}), delayMs: 1500})))
      const started = performance.now()
      const error = await failure(getSessionToken(sessionRequest(stub.url)))
      assert.match(error.message, /cannot reach .*: no answer within 0\.3 s/)
      assert.equal(stub.requests.length, 3)
      assert.ok(performance.now() - started < 1500, 'waited for an answer past the timeout')
    })

    it('is abandoned at once when the signal aborts (AbortedError), even while waiting for the answer', async () => {
      stub.push({...(StsStub.success() as {body: string; status: number}), delayMs: 3000})
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 100)
      const started = performance.now()
      const error = await failure(getSessionToken(sessionRequest(stub.url, {signal: controller.signal})))
      assert.ok(error instanceof AbortedError, String(error))
      assert.ok(performance.now() - started < 1000)
    })
  })

  describe('clock skew, read from the Date header', () => {
    const off = (ms: number) => ({date: new Date(Date.now() + ms).toUTCString()})

    it('signs again with STS\'s time after RequestTimeTooSkewed, once', async () => {
      const tooSkewed = StsStub.error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.')
      stub.push(withHeaders(tooSkewed, off(3_600_000)), withHeaders(StsStub.success(), off(3_600_000)))
      assert.ok(await getSessionToken(sessionRequest(stub.url)))
      assert.equal(stub.requests.length, 2)
      const dateOf = (seen: StubRequest) => {
        const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(String(seen.headers['x-amz-date']))!
        return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
      }

      const [first, second] = stub.requests.map(r => dateOf(r))
      assert.ok(Math.abs(second - first - 3_600_000) < 10_000, `signed at ${first} then ${second}`)
    })

    it('signs again once only, and not at all when the clock is right', async () => {
      const skewed = () => withHeaders(StsStub.error(403, 'SignatureDoesNotMatch', 'Signature expired'), off(-7_200_000))
      stub.push(skewed(), skewed())
      assert.match((await failure(getSessionToken(sessionRequest(stub.url)))).message, /rejected the request signature \(SignatureDoesNotMatch\)/)
      assert.equal(stub.requests.length, 2)

      stub.requests.length = 0
      stub.push(StsStub.error(400, 'RequestExpired', 'Request has expired.'))
      assert.match((await failure(getSessionToken(sessionRequest(stub.url)))).message, /rejected the request signature \(RequestExpired\)[\s\S]*/)
      assert.equal(stub.requests.length, 1)
    })

    it('never re-sends a refused code because the clock is off: AccessDenied with a skewed Date', async () => {
      stub.push(withHeaders(StsStub.error(403, 'AccessDenied', 'invalid MFA one time pass code'), off(3_600_000)))
      assert.ok((await failure(getSessionToken(sessionRequest(stub.url)))) instanceof StsRefusedError)
      assert.equal(stub.requests.length, 1)
    })

    it('says which clock is off when the credentials have expired by ours', async () => {
      stub.push(withHeaders(StsStub.success({expiration: new Date(Date.now() - 3_600_000)}), off(-13 * 3_600_000)))
      const error = await failure(getSessionToken(sessionRequest(stub.url)))
      assert.ok(error instanceof StsUnavailableError)
      assert.match(error.message, /this machine's clock is 13h 0m ahead of STS's/)
    })
  })

  describe('reading the answer', () => {
    it('decodes XML entities and character references in an error message', async () => {
      stub.push(StsStub.error(400, 'ValidationError', 'a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42;&#x1F600;'))
      assert.match((await failure(getSessionToken(sessionRequest(stub.url)))).message, /: a & b <c> "d" 'e' AB😀$/)
    })

    it('an error answer that is no ErrorResponse: Unknown, as the SDK says', async () => {
      stub.push({body: '<html>Bad Gateway</html>', status: 502}, {body: '', status: 502}, {body: 'oops', status: 502})
      assert.match((await failure(getSessionToken(sessionRequest(stub.url)))).message, /STS is failing \(Unknown, HTTP 502\)/)
    })

    it('an unreadable 2xx answer is not retried and is said to be unreadable', async () => {
      stub.push({body: '<GetSessionTokenResponse><oops', status: 200})
      assert.match((await failure(getSessionToken(sessionRequest(stub.url)))).message, /STS sent an answer that could not be read \(Error\)/)
      assert.equal(stub.requests.length, 1)

      stub.push({body: (StsStub.success() as {body: string}).body.replace(/<Expiration>[^<]*/, '<Expiration>next tuesday'), status: 200})
      assert.match((await failure(getSessionToken(sessionRequest(stub.url)))).message, /could not be read \(TypeError\)/)
    })

    it('credentials missing from a readable answer: said, not written', async () => {
      stub.push({body: '<GetSessionTokenResponse><GetSessionTokenResult/></GetSessionTokenResponse>', status: 200})
      assert.match((await failure(getSessionToken(sessionRequest(stub.url)))).message, /STS answered without complete credentials/)
    })

    it('keeps secrets out of every message: the code, the secret key and the session token', async () => {
      stub.push(StsStub.error(400, 'ValidationError', `code ${CODE} secret ${SESSION.secretAccessKey} token ${SESSION.sessionToken}`))
      const error = await failure(assumeRole({
        credentials: SESSION, credentialsProfile: 'default-mfa', endpoint: stub.url, mfa: {code: CODE, serial: SERIAL}, region: 'us-east-1', roleArn: ROLE, sessionName: 's',
      }))
      for (const secret of [CODE, SESSION.secretAccessKey, SESSION.sessionToken]) assert.ok(!error.message.includes(secret), error.message)
      assert.match(error.message, /code \*\*\*\* secret \*\*\*\* token \*\*\*\*/)
    })
  })
})
