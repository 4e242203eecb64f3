import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {promisify} from 'node:util'

import {
  botocoreCreds, getMoto, motoAssumedRoles, StsStub, StubRequest, waitFor,
} from '../support/peers.js'
import {
  BIN, collect, LONG_TERM, Sandbox, sandboxWithStub, SERIAL,
} from '../support/sandbox.js'

const execFileP = promisify(execFile)
let roleCounter = 0
/** A role ARN no other test has used, so moto's memory of assumed roles can be searched. */
const uniqueRole = (name: string) => `arn:aws:iam::123456789012:role/${name}-${process.pid}-${++roleCounter}`

const roleConfig = (admin: string, readonly: string, extra = '') => `[default]
mfa_serial = ${SERIAL}
region = us-east-1

[profile dev-admin]
role_arn = ${admin}
source_profile = default
role_session_name = alice-dev
${extra}
[profile prod-readonly]
role_arn = ${readonly}
source_profile = default
external_id = shared-secret-id
duration_seconds = 1800
${extra}`

/** The AWS CLI as a user runs it: AWS_PROFILE set, the files where mfa-creds wrote them; the ARN STS (moto at `url`) says it is. */
async function callerArn(box: Sandbox, url: string, profile: string): Promise<string> {
  const env = {
    AWS_CONFIG_FILE: '/dev/null', AWS_PROFILE: profile, AWS_SHARED_CREDENTIALS_FILE: box.credentialsFile, HOME: box.home, PATH: process.env.PATH,
  }
  const {stdout} = await execFileP('aws', ['sts', 'get-caller-identity', '--region', 'us-east-1', '--endpoint-url', url, '--output', 'json'], {env})
  return JSON.parse(stdout).Arn as string
}

describe('roles with MFA, against moto', () => {
  let box: Sandbox
  let url: string

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
  })

  afterEach(() => box.cleanup())

  const whoAmI = (profile: string) => callerArn(box, url, profile)

  it('assumes config-only role profiles from one MFA session: one code for both roles', async () => {
    const admin = uniqueRole('dev-admin')
    const readonly = uniqueRole('prod-readonly')
    await fs.writeFile(box.configFile, roleConfig(admin, readonly))
    const first = await box.run(['refresh-once', '-p', 'dev-admin', '--json'], {AWS_ENDPOINT_URL: url})
    assert.equal(first.code, 0, first.stderr)
    assert.equal(JSON.parse(first.stdout).targetProfile, 'dev-admin-mfa')
    const second = await box.run(['refresh-once', '-p', 'prod-readonly'], {AWS_ENDPOINT_URL: url})
    assert.equal(second.code, 0, second.stderr)
    assert.deepEqual(await box.askpassCalls(), [`Enter MFA token for default from device ${SERIAL}`], 'one code for the session, none for the roles')

    const recorded = (await motoAssumedRoles(url)).filter(r => r.role_arn === admin || r.role_arn === readonly)
    assert.deepEqual(recorded.map(r => [r.role_arn, r.external_id]), [[admin, null], [readonly, 'shared-secret-id']])
    assert.equal(recorded[0].session_name, 'alice-dev')
    assert.match(recorded[1].session_name, /^mfa-creds-\d+$/)

    // The AWS CLI, reading what we wrote, is the assumed role; the session stays beside them.
    assert.equal(await whoAmI('dev-admin-mfa'), `arn:aws:sts::123456789012:assumed-role/${admin.split('/').at(-1)}/alice-dev`)
    assert.match(await whoAmI('prod-readonly-mfa'), /:assumed-role\/prod-readonly-[\d-]+\/mfa-creds-\d+$/)
    assert.ok((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token)
    const expiry = (await botocoreCreds(box.credentialsFile, 'default'))!
    assert.equal(expiry.token, null, 'the long-term keys are untouched')
    assert.equal(expiry.access_key, LONG_TERM.accessKeyId)
    const text = await box.readCredentials()
    const readonlyExpiry = new Date(/\[prod-readonly-mfa\][^[]*expiration = (\S+)/.exec(text)![1])
    assert.ok(Math.abs(readonlyExpiry.getTime() - Date.now() - (1800 * 1000)) < 60_000, 'duration_seconds of the role profile')
  })

  it('assumes a role directly with the code (--role-arn, --no-session), keeping no session', async () => {
    const ops = uniqueRole('ops')
    const result = await box.run(['refresh-once', '--role-arn', ops, '--no-session', '--mfa-serial-number', SERIAL, '--role-session-name', 'alice-ops', '--json'], {AWS_ENDPOINT_URL: url})
    assert.equal(result.code, 0, result.stderr)
    const target = `default-${ops.split('/').at(-1)}-mfa`
    assert.equal(JSON.parse(result.stdout).targetProfile, target)
    assert.deepEqual((await motoAssumedRoles(url)).filter(r => r.role_arn === ops).map(r => r.session_name), ['alice-ops'])
    assert.match(await whoAmI(target), /assumed-role\/ops-[\d-]+\/alice-ops$/)
    assert.doesNotMatch(await box.readCredentials(), /\[default-mfa\]/)
    assert.equal((await box.askpassCalls()).length, 1)
  })

  it('watch -p dev-admin -p prod-readonly asks once for both roles', async () => {
    await fs.writeFile(box.configFile, roleConfig(uniqueRole('dev-admin'), uniqueRole('prod-readonly')))
    const child = box.start(['watch', '-p', 'dev-admin', '-p', 'prod-readonly', '--log-format', 'json'], {AWS_ENDPOINT_URL: url})
    const done = collect(child)
    await waitFor(async () => {
      const text = await box.readCredentials()
      return text.includes('[dev-admin-mfa]') && text.includes('[prod-readonly-mfa]') ? true : undefined
    }, 30_000, 'both roles written')
    child.kill('SIGTERM')
    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await box.askpassCalls()).length, 1, 'asked once for the MFA session both roles come from')
  })
})

/** A chain default <- hop-a <- hop-b (<- hop-c): each hop's own session name, external id and duration. */
const chainConfig = (a: string, b: string, c?: string, extra = '') => `[default]
mfa_serial = ${SERIAL}
region = us-east-1

[profile hop-a]
role_arn = ${a}
source_profile = default
role_session_name = alice-a
external_id = ext-a
duration_seconds = 7200

[profile hop-b]
role_arn = ${b}
source_profile = hop-a
role_session_name = alice-b
duration_seconds = 1800
${extra}${c === undefined ? '' : hopC(c)}`

const hopC = (c: string) => `
[profile hop-c]
role_arn = ${c}
source_profile = hop-b
role_session_name = alice-c
external_id = ext-c
`

/** Seconds from now until the expiration written into [section]. */
const secondsLeftIn = (text: string, section: string) => {
  const m = new RegExp(String.raw`\[${section}\][^[]*expiration = (\S+)`).exec(text)
  return m ? (new Date(m[1]).getTime() - Date.now()) / 1000 : undefined
}

describe('role chains, against moto', () => {
  let box: Sandbox
  let url: string

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
  })

  afterEach(() => box.cleanup())

  const whoAmI = (profile: string) => callerArn(box, url, profile)

  const assumedAs = (arn: string, session: string) => `arn:aws:sts::123456789012:assumed-role/${arn.split('/').at(-1)}/${session}`

  it('assumes a 2-hop chain with one code: each hop kept in its own section, with its own parameters', async () => {
    const [a, b] = [uniqueRole('hop-a'), uniqueRole('hop-b')]
    await fs.writeFile(box.configFile, chainConfig(a, b))
    const result = await box.run(['refresh-once', '-p', 'hop-b', '--json'], {AWS_ENDPOINT_URL: url})
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.equal(json.targetProfile, 'hop-b-mfa')
    assert.deepEqual(json.hops.map((h: {action: string; targetProfile: string}) => [h.targetProfile, h.action]), [['default-mfa', 'refreshed'], ['hop-a-mfa', 'refreshed']])
    assert.deepEqual(await box.askpassCalls(), [`Enter MFA token for default from device ${SERIAL}`], 'one code for the whole chain')

    const recorded = (await motoAssumedRoles(url)).filter(r => r.role_arn === a || r.role_arn === b)
    assert.deepEqual(recorded.map(r => [r.role_arn, r.session_name, r.external_id]), [[a, 'alice-a', 'ext-a'], [b, 'alice-b', null]])

    // botocore reads every section written; the AWS CLI with AWS_PROFILE is the role at each hop.
    for (const section of ['default-mfa', 'hop-a-mfa', 'hop-b-mfa']) {
      const creds = await botocoreCreds(box.credentialsFile, section)
      assert.ok(creds?.token, `${section} holds session credentials botocore reads`)
    }

    assert.equal(await whoAmI('hop-b-mfa'), assumedAs(b, 'alice-b'))
    assert.equal(await whoAmI('hop-a-mfa'), assumedAs(a, 'alice-a'))
    const text = await box.readCredentials()
    assert.ok(Math.abs(secondsLeftIn(text, 'hop-a-mfa')! - 7200) < 60, 'duration_seconds of hop-a')
    assert.ok(Math.abs(secondsLeftIn(text, 'hop-b-mfa')! - 1800) < 60, 'duration_seconds of hop-b')
    assert.equal((await botocoreCreds(box.credentialsFile, 'default'))?.token, null, 'the long-term keys are untouched')

    // status: each hop's section, refreshed from its own profile, with the chain's keys and device.
    const status = JSON.parse((await box.run(['status', '--json'])).stdout) as {profiles: Array<{keys: string; mfaSerial: string; profile: string; sourceProfile: string; state: string}>}
    assert.deepEqual(status.profiles.map(p => [p.profile, p.sourceProfile, p.keys, p.mfaSerial, p.state]), [
      ['default-mfa', 'default', 'credentials-file', SERIAL, 'valid'],
      ['hop-a-mfa', 'hop-a', 'credentials-file', SERIAL, 'valid'],
      ['hop-b-mfa', 'hop-b', 'credentials-file', SERIAL, 'valid'],
    ])

    // [hop-a-mfa] is the section `refresh-once -p hop-a` keeps: it finds it fresh.
    const own = await box.run(['refresh-once', '-p', 'hop-a'], {AWS_ENDPOINT_URL: url})
    assert.equal(own.code, 0, own.stderr)
    assert.match(own.stdout, /\[hop-a-mfa\] is still valid/)
    assert.equal((await box.askpassCalls()).length, 1)
  })

  it('assumes a 3-hop chain with one code, then re-assumes only what is due, without a code', async () => {
    const [a, b, c] = [uniqueRole('hop-a'), uniqueRole('hop-b'), uniqueRole('hop-c')]
    await fs.writeFile(box.configFile, chainConfig(a, b, c))
    const first = await box.run(['refresh-once', '-p', 'hop-c'], {AWS_ENDPOINT_URL: url})
    assert.equal(first.code, 0, first.stderr)
    assert.match(first.stdout, /^\[default-mfa\] refreshed: .*\n\[hop-a-mfa\] refreshed: .*\n\[hop-b-mfa\] refreshed: .*\n\[hop-c-mfa\] refreshed: /)
    assert.equal((await box.askpassCalls()).length, 1)
    assert.equal(await whoAmI('hop-c-mfa'), assumedAs(c, 'alice-c'))
    assert.equal(await whoAmI('hop-b-mfa'), assumedAs(b, 'alice-b'))

    const again = await box.run(['refresh-once', '-p', 'hop-c', '--force'], {AWS_ENDPOINT_URL: url})
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /\[hop-b-mfa\] is still valid until [^\n]*; used it\.\n\[hop-c-mfa\] refreshed/)
    assert.equal((await box.askpassCalls()).length, 1, 'no code while the hops below are valid')
    const recorded = (await motoAssumedRoles(url)).filter(r => [a, b, c].includes(r.role_arn))
    assert.deepEqual(recorded.map(r => [r.role_arn, r.external_id]), [[a, 'ext-a'], [b, null], [c, 'ext-c'], [c, 'ext-c']], 'only the target re-assumed')
  })

  it('reuses a valid intermediate hop kept by another refresh: no code, the hop not re-assumed', async () => {
    const [a, b] = [uniqueRole('hop-a'), uniqueRole('hop-b')]
    await fs.writeFile(box.configFile, chainConfig(a, b))
    assert.equal((await box.run(['refresh-once', '-p', 'hop-a'], {AWS_ENDPOINT_URL: url})).code, 0)
    assert.equal((await box.askpassCalls()).length, 1)
    const chained = await box.run(['refresh-once', '-p', 'hop-b', '--json'], {AWS_ENDPOINT_URL: url})
    assert.equal(chained.code, 0, chained.stderr)
    // hop-a is still valid, so nothing below it is looked at.
    assert.deepEqual(JSON.parse(chained.stdout).hops.map((h: {action: string; targetProfile: string}) => [h.targetProfile, h.action]), [['hop-a-mfa', 'fresh']])
    assert.equal((await box.askpassCalls()).length, 1, 'no second code')
    assert.deepEqual((await motoAssumedRoles(url)).filter(r => r.role_arn === a).length, 1, 'hop-a assumed once')
    assert.equal(await whoAmI('hop-b-mfa'), assumedAs(b, 'alice-b'))
  })

  it('assumes a chain directly with the code (--no-session): the first hop with the code, nothing but the target kept', async () => {
    const [a, b] = [uniqueRole('hop-a'), uniqueRole('hop-b')]
    await fs.writeFile(box.configFile, chainConfig(a, b))
    const result = await box.run(['refresh-once', '-p', 'hop-b', '--no-session'], {AWS_ENDPOINT_URL: url})
    assert.equal(result.code, 0, result.stderr)
    assert.equal((await box.askpassCalls()).length, 1)
    assert.equal(await whoAmI('hop-b-mfa'), assumedAs(b, 'alice-b'))
    const text = await box.readCredentials()
    assert.doesNotMatch(text, /\[default-mfa\]|\[hop-a-mfa\]/)
    assert.deepEqual((await motoAssumedRoles(url)).filter(r => r.role_arn === a || r.role_arn === b).map(r => r.role_arn), [a, b])
  })

  it('credential-process runs the chain through the same refresher: the AWS CLI refreshes it on demand', async () => {
    const [a, b] = [uniqueRole('hop-a'), uniqueRole('hop-b')]
    await fs.writeFile(box.configFile, `${chainConfig(a, b)}\n[profile via-process]\ncredential_process = "${process.execPath}" "${BIN}" credential-process -p hop-b\n`)
    const env = {
      ...box.env({AWS_ENDPOINT_URL: url}), AWS_CONFIG_FILE: box.configFile, AWS_PROFILE: 'via-process', AWS_SHARED_CREDENTIALS_FILE: box.credentialsFile,
    }
    const call = async () => JSON.parse((await execFileP('aws', ['sts', 'get-caller-identity', '--region', 'us-east-1', '--endpoint-url', url, '--output', 'json'], {env})).stdout).Arn
    assert.equal(await call(), assumedAs(b, 'alice-b'))
    assert.equal(await call(), assumedAs(b, 'alice-b'))
    assert.equal((await box.askpassCalls()).length, 1)
  })
})

describe('roles with MFA, on the wire', () => {
  const t = sandboxWithStub()
  const ROLE = 'arn:aws:iam::123456789012:role/admin'
  const soon = (seconds: number) => new Date(Date.now() + (seconds * 1000))

  it('sends AssumeRole with SerialNumber, TokenCode, ExternalId and duration, signed by the long-term key', async () => {
    await fs.writeFile(t.box.configFile, `[profile admin]\nrole_arn = ${ROLE}\nsource_profile = default\nmfa_serial = ${SERIAL}\nexternal_id = ext-42\nduration_seconds = 7200\nmfa_creds_session = false\n`)
    t.stub.fallback = StsStub.success({}, 'AssumeRole')
    await t.box.setCodes('246810')
    const result = await t.box.run(['refresh-once', '-p', 'admin'], {AWS_ENDPOINT_URL: t.stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(t.stub.requests.length, 1)
    const [{authorization, form}] = t.stub.requests
    assert.deepEqual([form.Action, form.RoleArn, form.SerialNumber, form.TokenCode, form.ExternalId, form.DurationSeconds], ['AssumeRole', ROLE, SERIAL, '246810', 'ext-42', '7200'])
    assert.match(form.RoleSessionName, /^mfa-creds-\d+$/)
    assert.match(authorization, new RegExp(`Credential=${LONG_TERM.accessKeyId}/`))
    assert.doesNotMatch(result.stdout + result.stderr, /246810/)
  })

  it('re-assumes from the session when a role expires, without asking again', async () => {
    await fs.writeFile(t.box.configFile, `[default]\nmfa_serial = ${SERIAL}\n\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = default\n`)
    t.stub.fallback = form => (form.Action === 'AssumeRole'
      ? StsStub.success({accessKeyId: 'ASIAROLEROLEROLE0001', expiration: soon(6)}, 'AssumeRole')
      : StsStub.success({accessKeyId: 'ASIASESSIONSESSION01', expiration: soon(43_200), sessionToken: 'SessionTok=='}))
    const child = t.box.start(['watch', '-p', 'admin', '--log-format', 'json'], {AWS_ENDPOINT_URL: t.stub.url})
    const done = collect(child)
    await waitFor(() => (t.stub.requests.filter(r => r.form.Action === 'AssumeRole').length >= 3 ? true : undefined), 30_000, 'three AssumeRole calls')
    child.kill('SIGTERM')
    assert.equal((await done).code, 0)
    assert.equal(t.stub.requests.filter(r => r.form.Action === 'GetSessionToken').length, 1)
    assert.equal((await t.box.askpassCalls()).length, 1)
    for (const r of t.stub.requests.filter(r => r.form.Action === 'AssumeRole')) {
      assert.match(r.authorization, /Credential=ASIASESSIONSESSION01\//, 'signed by the MFA session')
      assert.equal(r.form.SerialNumber, undefined, 'no code needed')
    }
  })

  it('watch names the profile whose keys sign, and says a role re-assumed from a session needs no code', async () => {
    await fs.writeFile(t.box.configFile, `[default]\nmfa_serial = ${SERIAL}\n
[profile admin]\nrole_arn = ${ROLE}\nsource_profile = default\n
[profile direct]\nrole_arn = ${ROLE}\nsource_profile = default\nmfa_creds_session = false\n`)
    t.stub.fallback = form => (form.Action === 'AssumeRole'
      ? StsStub.success({accessKeyId: 'ASIAROLEROLEROLE0001', expiration: soon(3600)}, 'AssumeRole')
      : StsStub.success({accessKeyId: 'ASIASESSIONSESSION01', expiration: soon(43_200)}))
    const child = t.box.start(['watch', '-p', 'admin', '-p', 'direct'], {AWS_ENDPOINT_URL: t.stub.url})
    let log = ''
    child.stderr!.on('data', chunk => {
      log += chunk
    })
    const done = collect(child)
    await waitFor(() => (/\[admin-mfa\] refreshed/.test(log) && /\[direct-mfa\] refreshed/.test(log) ? true : undefined), 30_000, 'both roles refreshed')
    child.kill('SIGTERM')
    assert.equal((await done).code, 0)
    const role = ROLE.replaceAll('/', String.raw`\/`)
    assert.match(log, new RegExp(String.raw`\[admin-mfa\] \(role ${role}, assumed from the MFA session in \[default-mfa\], keys of \[default\], device ${SERIAL}\)`))
    assert.match(log, new RegExp(String.raw`\[direct-mfa\] \(role ${role}, assumed with a code, keys of \[default\], device ${SERIAL}\)`))
    assert.doesNotMatch(log, /keys of \[(admin|direct)\]/)
    assert.match(log, /\[admin-mfa\] refreshed: valid until [^;]+; next re-assumption at [\d-]+ [\d:]+ UTC \(no code needed while \[default-mfa\] is fresh\)$/m)
    assert.match(log, /\[direct-mfa\] refreshed: valid until [^;]+; next prompt at [\d-]+ [\d:]+ UTC$/m)
    assert.doesNotMatch(log, /\[admin-mfa\].*next prompt/)
  })

  it('replaces a session that STS no longer accepts, once, then assumes the role', async () => {
    await fs.writeFile(t.box.configFile, `[default]\nmfa_serial = ${SERIAL}\n\n[profile admin]\nrole_arn = ${ROLE}\nsource_profile = default\n`)
    const future = soon(43_200).toISOString().replace(/\.\d+Z$/, 'Z')
    await fs.appendFile(t.box.credentialsFile, `\n[default-mfa]\naws_access_key_id = ASIAREVOKED\naws_secret_access_key = revoked\naws_session_token = revoked\nexpiration = ${future}\n`)
    t.stub.push(StsStub.error(403, 'ExpiredToken', 'The security token included in the request is expired'))
    t.stub.fallback = form => StsStub.success({}, form.Action === 'AssumeRole' ? 'AssumeRole' : 'GetSessionToken')
    const result = await t.box.run(['refresh-once', '-p', 'admin'], {AWS_ENDPOINT_URL: t.stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(t.stub.requests.map(r => r.form.Action), ['AssumeRole', 'GetSessionToken', 'AssumeRole'])
    assert.equal((await t.box.askpassCalls()).length, 1)
    assert.doesNotMatch(await t.box.readCredentials(), /ASIAREVOKED/)
  })

  it('explains a role STS refuses, or a duration above the role\'s maximum', async () => {
    await fs.writeFile(t.box.configFile, `[profile admin]\nrole_arn = ${ROLE}\nsource_profile = default\nmfa_serial = ${SERIAL}\nmfa_creds_session = false\n`)
    const before = await t.box.readCredentials()
    t.stub.push(StsStub.error(403, 'AccessDenied', `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`))
    const denied = await t.box.run(['refresh-once', '-p', 'admin'], {AWS_ENDPOINT_URL: t.stub.url})
    assert.equal(denied.code, 4)
    assert.match(denied.stderr, /refused to let \[default\] assume arn:aws:iam::123456789012:role\/admin[\s\S]*trust policy/)
    t.stub.push(StsStub.error(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'))
    const long = await t.box.run(['refresh-once', '-p', 'admin', '--duration', '43200'], {AWS_ENDPOINT_URL: t.stub.url})
    assert.equal(long.code, 4)
    assert.match(long.stderr, /session length[\s\S]*maximum session duration/)
    assert.equal(await t.box.readCredentials(), before)
  })

  it('refuses unusable role settings before asking, leaving the files as they were', async () => {
    const cases: Array<[string, string[], number, RegExp]> = [
      [`[profile r]\nrole_arn = arn:aws:iam::123:role/x\nsource_profile = default\nmfa_serial = ${SERIAL}\n`, ['-p', 'r'], 6, /role_arn in \[profile r\].*not a valid role ARN/],
      [`[profile r]\nrole_arn = ${ROLE}\nmfa_serial = ${SERIAL}\ncredential_source = Environment\n`, ['-p', 'r'], 6, /has credential_source = Environment: .*mfa-creds has nothing to refresh/],
      [`[profile r]\nrole_arn = ${ROLE}\nmfa_serial = ${SERIAL}\n`, ['-p', 'r'], 6, /role_arn in \[profile r\] .* has no source_profile/],
      [`[profile r]\nrole_arn = ${ROLE}\nsource_profile = default\nmfa_serial = ${SERIAL}\nrole_session_name = a b\n`, ['-p', 'r'], 6, /role_session_name .*not a valid role session name/],
      [`[profile r]\nrole_arn = ${ROLE}\nsource_profile = default\nmfa_serial = ${SERIAL}\n`, ['-p', 'r', '--target-profile', 'default-mfa'], 2, /MFA session of default/],
      [`[profile r]\nrole_arn = ${ROLE}\nsource_profile = default\nmfa_serial = ${SERIAL}\n`, ['-p', 'r', '--duration', '50000'], 2, /--duration must be from 900 to 43200 seconds for a role/],
      ['', ['--role-arn', 'admin', '--mfa-serial-number', SERIAL], 2, /--role-arn: "admin" is not a valid role ARN/],
      [`[default]\nmfa_serial = ${SERIAL}\nsts_regional_endpoints = global\n`, [], 6, /sts_regional_endpoints in \[default\].*neither legacy nor regional/],
    ]
    for (const [config, args, code, message] of cases) {
      await fs.writeFile(t.box.configFile, config)
      const before = await t.box.readCredentials()
      const result = await t.box.run(['refresh-once', ...args], {AWS_ENDPOINT_URL: t.stub.url})
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, message)
      assert.equal(await t.box.readCredentials(), before)
      assert.equal(await fs.readFile(t.box.configFile, 'utf8'), config)
    }

    assert.deepEqual(await t.box.askpassCalls(), [])
    assert.equal(t.stub.requests.length, 0)
  })
})

describe('role chains, on the wire', () => {
  const t = sandboxWithStub()
  const A = 'arn:aws:iam::111111111111:role/hop-a'
  const B = 'arn:aws:iam::222222222222:role/hop-b'
  const soon = (seconds: number) => new Date(Date.now() + (seconds * 1000))
  /** Each answer's access key names who is answered, so a signature says what signed it. */
  const answer = (expiresIn = 43_200) => (form: Record<string, string>) => (form.Action === 'AssumeRole'
    ? StsStub.success({accessKeyId: form.RoleArn === A ? 'ASIAHOPAHOPAHOPA0001' : 'ASIAHOPBHOPBHOPB0001', expiration: soon(expiresIn)}, 'AssumeRole')
    : StsStub.success({accessKeyId: 'ASIASESSIONSESSION01', expiration: soon(43_200)}))
  const config = (extra = '') => `[default]\nmfa_serial = ${SERIAL}\n
[profile hop-a]\nrole_arn = ${A}\nsource_profile = default\nrole_session_name = alice-a\nexternal_id = ext-a\nduration_seconds = 7200\n
[profile hop-b]\nrole_arn = ${B}\nsource_profile = hop-a\nrole_session_name = alice-b\nduration_seconds = 3600\n${extra}`
  const signedBy = (r: StubRequest) => /Credential=(\w+)\//.exec(r.authorization)?.[1]

  it('sends each hop its own parameters, signed by the hop below: the code only to GetSessionToken', async () => {
    await fs.writeFile(t.box.configFile, config())
    t.stub.fallback = answer()
    await t.box.setCodes('135790')
    const result = await t.box.run(['refresh-once', '-p', 'hop-b'], {AWS_ENDPOINT_URL: t.stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(t.stub.requests.map(r => [r.form.Action, r.form.RoleArn, r.form.RoleSessionName, r.form.ExternalId, r.form.DurationSeconds, r.form.SerialNumber, r.form.TokenCode, signedBy(r)]), [
      ['GetSessionToken', undefined, undefined, undefined, undefined, SERIAL, '135790', LONG_TERM.accessKeyId],
      ['AssumeRole', A, 'alice-a', 'ext-a', '7200', undefined, undefined, 'ASIASESSIONSESSION01'],
      ['AssumeRole', B, 'alice-b', undefined, '3600', undefined, undefined, 'ASIAHOPAHOPAHOPA0001'],
    ])
    assert.doesNotMatch(result.stdout + result.stderr, /135790/)
  })

  it('--no-session: AssumeRole of the first hop with the code, the next from its credentials', async () => {
    await fs.writeFile(t.box.configFile, config())
    t.stub.fallback = answer()
    await t.box.setCodes('246802')
    const result = await t.box.run(['refresh-once', '-p', 'hop-b', '--no-session'], {AWS_ENDPOINT_URL: t.stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(t.stub.requests.map(r => [r.form.Action, r.form.RoleArn, r.form.RoleSessionName, r.form.ExternalId, r.form.SerialNumber, r.form.TokenCode, signedBy(r)]), [
      ['AssumeRole', A, 'alice-a', 'ext-a', SERIAL, '246802', LONG_TERM.accessKeyId],
      ['AssumeRole', B, 'alice-b', undefined, undefined, undefined, 'ASIAHOPAHOPAHOPA0001'],
    ])
    assert.equal((await t.box.askpassCalls()).length, 1)
  })

  it('--no-session: a transient failure of a later hop is retried without sending the code again', async () => {
    await fs.writeFile(t.box.configFile, config('mfa_creds_session = false\n'))
    t.stub.fallback = answer()
    // More failures than one call's own attempts: the watch tries again after a backoff, from hop-b.
    const failing = StsStub.error(503, 'ServiceUnavailable', 'try later')
    t.stub.push(StsStub.success({accessKeyId: 'ASIAHOPAHOPAHOPA0001', expiration: soon(3600)}, 'AssumeRole'), failing, failing, failing)
    const child = t.box.start(['watch', '-p', 'hop-b', '--log-format', 'json'], {AWS_ENDPOINT_URL: t.stub.url})
    const done = collect(child)
    await waitFor(async () => ((await t.box.readCredentials()).includes('[hop-b-mfa]') ? true : undefined), 30_000, 'hop-b written')
    child.kill('SIGTERM')
    assert.equal((await done).code, 0)
    const sent = t.stub.requests.map(r => [r.form.RoleArn, r.form.TokenCode !== undefined])
    assert.deepEqual(sent, [[A, true], [B, false], [B, false], [B, false], [B, false]], 'hop-a assumed once, with the code')
    assert.equal((await t.box.askpassCalls()).length, 1)
  })

  it('watch re-assumes the chain\'s target from the kept hop below, asking nothing and leaving the hop alone', async () => {
    await fs.writeFile(t.box.configFile, config())
    t.stub.fallback = form => (form.RoleArn === B ? StsStub.success({accessKeyId: 'ASIAHOPBHOPBHOPB0001', expiration: soon(6)}, 'AssumeRole') : answer()(form))
    const child = t.box.start(['watch', '-p', 'hop-b'], {AWS_ENDPOINT_URL: t.stub.url})
    let log = ''
    child.stderr!.on('data', chunk => {
      log += chunk
    })
    const done = collect(child)
    await waitFor(() => (t.stub.requests.filter(r => r.form.RoleArn === B).length >= 3 ? true : undefined), 30_000, 'three AssumeRole calls of hop-b')
    child.kill('SIGTERM')
    assert.equal((await done).code, 0)
    assert.deepEqual(t.stub.requests.filter(r => r.form.RoleArn !== B).map(r => r.form.Action), ['GetSessionToken', 'AssumeRole'], 'the session and hop-a once')
    for (const r of t.stub.requests.filter(r => r.form.RoleArn === B)) assert.equal(signedBy(r), 'ASIAHOPAHOPAHOPA0001')
    assert.equal((await t.box.askpassCalls()).length, 1)
    const role = (arn: string) => arn.replaceAll('/', String.raw`\/`)
    assert.match(log, new RegExp(String.raw`\[hop-b-mfa\] \(role ${role(B)}, from role ${role(A)} in \[hop-a-mfa\], assumed from the MFA session in \[default-mfa\], keys of \[default\], device ${SERIAL}\)`))
  })

  it('refuses what cannot work before asking, leaving the files byte for byte', async () => {
    const cases: Array<[string, string, string[], number, RegExp]> = [
      ['a cycle', `[profile x]\nrole_arn = ${A}\nsource_profile = y\nmfa_serial = ${SERIAL}\n\n[profile y]\nrole_arn = ${B}\nsource_profile = z\n\n[profile z]\nrole_arn = ${B}\nsource_profile = x\n`, ['-p', 'x'], 6, /role chain of x loops: x -> y -> z -> x/],
      ['credential_source on the target', `[profile r]\nrole_arn = ${A}\nmfa_serial = ${SERIAL}\ncredential_source = Ec2InstanceMetadata\n`, ['-p', 'r'], 6, /\[profile r\] of .* has credential_source = Ec2InstanceMetadata: .*not from an IAM user's long-term keys with an MFA code/],
      ['credential_source on a hop', config().replace('source_profile = default', 'credential_source = Environment'), ['-p', 'hop-b'], 6, /\[profile hop-a\] of .* has credential_source = Environment[\s\S]*source_profile = PROFILE/],
      ['a web identity on a hop', config().replace('source_profile = default', 'web_identity_token_file = /tmp/token'), ['-p', 'hop-b'], 6, /\[profile hop-a\] of .* has web_identity_token_file/],
      ['SSO at the end', config().replace('[default]\n', '[default]\nsso_session = corp\n'), ['-p', 'hop-b'], 6, /source_profile default of \[profile hop-a\].* has sso_session/],
      ['a chained hop longer than an hour', config().replace('duration_seconds = 3600', 'duration_seconds = 7200'), ['-p', 'hop-b'], 6, /duration_seconds = 7200 in \[profile hop-b\] .*\(role chaining\).* one hour/],
      ['--duration longer than an hour for a chained role', config(), ['-p', 'hop-b', '--duration', '7200'], 2, /--duration must be from 900 to 3600 seconds for a role assumed from another role/],
      ['a hop with a bad session name', config().replace('role_session_name = alice-a', 'role_session_name = a b'), ['-p', 'hop-b'], 6, /role_session_name in \[profile hop-a\].*not a valid role session name/],
      ['the target where a hop is kept', config(), ['-p', 'hop-b', '--target-profile', 'hop-a-mfa'], 2, /\[hop-a-mfa\] cannot be the target of hop-b: it holds the credentials of the role hop-a/],
      ['a hop\'s section holding long-term keys', `${config()}\n[profile hop-a-mfa]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n`, ['-p', 'hop-b'], 6, /cannot write session credentials into \[hop-a-mfa\]: .* holds long-term keys/],
    ]
    for (const [what, text, args, code, message] of cases) {
      await fs.writeFile(t.box.configFile, text)
      const before = await fs.readFile(t.box.credentialsFile)
      const result = await t.box.run(['refresh-once', ...args], {AWS_ENDPOINT_URL: t.stub.url})
      assert.equal(result.code, code, `${what}: ${result.stderr}`)
      assert.match(result.stderr, message, `${what}: ${result.stderr}`)
      assert.deepEqual(await fs.readFile(t.box.credentialsFile), before, what)
      assert.equal(await fs.readFile(t.box.configFile, 'utf8'), text, what)
    }

    assert.deepEqual(await t.box.askpassCalls(), [])
    assert.equal(t.stub.requests.length, 0)
  })

  it('takes static keys of a role source as botocore does: they sign, and the chain ends there', async () => {
    await fs.writeFile(t.box.configFile, config())
    await fs.appendFile(t.box.credentialsFile, '\n[hop-a]\naws_access_key_id = AKIAHOPAKEYS00000001\naws_secret_access_key = secret\n')
    t.stub.fallback = answer()
    const result = await t.box.run(['refresh-once', '-p', 'hop-b', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: t.stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(t.stub.requests.map(r => [r.form.Action, r.form.RoleArn, signedBy(r)]), [
      ['GetSessionToken', undefined, 'AKIAHOPAKEYS00000001'],
      ['AssumeRole', B, 'ASIASESSIONSESSION01'],
    ])
    assert.match(await t.box.readCredentials(), /\[hop-a-mfa\]/)
  })
})

describe('sts_regional_endpoints', () => {
  it('sends legacy regions to the global endpoint, others to their own', async () => {
    const box = await Sandbox.create()
    try {
      await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nsts_regional_endpoints = legacy\nregion = eu-west-1\n`)
      // No network here: where it tried to connect is in the message.
      const legacy = await box.run(['refresh-once'])
      assert.equal(legacy.code, 5)
      assert.match(legacy.stderr, /cannot reach https:\/\/sts\.amazonaws\.com/)
      const regional = await box.run(['refresh-once'], {AWS_STS_REGIONAL_ENDPOINTS: 'regional'})
      assert.equal(regional.code, 5)
      assert.match(regional.stderr, /cannot reach STS in eu-west-1/)
    } finally {
      await box.cleanup()
    }
  })
})

