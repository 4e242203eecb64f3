import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import {promisify} from 'node:util'

import {
  botocoreCreds, getMoto, motoAssumedRoles, StsStub, waitFor,
} from '../support/peers.js'
import {
  collect, LONG_TERM, Sandbox, sandboxWithStub, SERIAL,
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

describe('roles with MFA, against moto', () => {
  let box: Sandbox
  let url: string

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
  })

  afterEach(() => box.cleanup())

  const whoAmI = async (profile: string) => {
    const env = {
      AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: box.credentialsFile, HOME: box.home, PATH: process.env.PATH,
    }
    const {stdout} = await execFileP('aws', ['sts', 'get-caller-identity', '--profile', profile, '--region', 'us-east-1', '--endpoint-url', url, '--output', 'json'], {env})
    return JSON.parse(stdout).Arn as string
  }

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
      [`[profile r]\nrole_arn = ${ROLE}\nmfa_serial = ${SERIAL}\ncredential_source = Environment\n`, ['-p', 'r'], 6, /no source_profile \(credential_source is not supported/],
      [`[profile a]\nrole_arn = ${ROLE}\nsource_profile = default\n\n[profile r]\nrole_arn = ${ROLE}\nsource_profile = a\nmfa_serial = ${SERIAL}\n`, ['-p', 'r'], 6, /source_profile a .* is itself a role/],
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

