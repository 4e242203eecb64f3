import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {resolveSetupSettings} from '../../../src/core/aws/mfa-device.js'
import {shlexSplit} from '../../../src/core/aws/profiles.js'
import {ConfigError, UsageError} from '../../../src/core/errors.js'
import {resolveSettings} from '../../../src/core/refresh/settings.js'
import {isFresh, parseExpiration} from '../../../src/core/time.js'

const SERIAL = 'arn:aws:iam::123456789012:mfa/alice'

describe('settings: flags, environment and the config file', () => {
  let home: string
  let env: Record<string, string>

  beforeEach(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-settings-'))
    await fs.mkdir(path.join(home, '.aws'))
    env = {HOME: home}
  })

  afterEach(() => fs.rm(home, {force: true, recursive: true}))
  const config = (text: string) => fs.writeFile(path.join(home, '.aws', 'config'), text)

  it('has the seed\'s defaults', async () => {
    const s = await resolveSettings({'mfa-serial-number': SERIAL}, env)
    assert.equal(s.profile, 'default')
    assert.equal(s.targetProfile, 'default-mfa')
    assert.equal(s.leadTimeSeconds, 300)
    assert.equal(s.durationSeconds, undefined)
    assert.equal(s.region, 'us-east-1')
    assert.equal(s.prompt, 'auto')
    assert.equal(s.credentialsFile, path.join(home, '.aws', 'credentials'))
  })

  it('never takes the profile from AWS_PROFILE', async () => {
    const s = await resolveSettings({'mfa-serial-number': SERIAL}, {...env, AWS_PROFILE: 'default-mfa'})
    assert.equal(s.profile, 'default')
  })

  it('reads [profile NAME] (quoted names too) and [default] as botocore does; flags win', async () => {
    await config(`[default]\nmfa_serial = ${SERIAL}\n\n[profile "my work"]\nmfa_serial = GAHT12345678\nduration_seconds = 3600\nregion = eu-west-1\n`)
    assert.equal((await resolveSettings({}, env)).mfaSerial, SERIAL)
    const work = await resolveSettings({profile: 'my work'}, env)
    assert.deepEqual([work.mfaSerial, work.durationSeconds, work.region, work.targetProfile], ['GAHT12345678', 3600, 'eu-west-1', 'my work-mfa'])
    const flags = await resolveSettings({duration: 900, 'mfa-serial-number': SERIAL, profile: 'my work'}, env)
    assert.deepEqual([flags.mfaSerial, flags.durationSeconds], [SERIAL, 900])
  })

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, then the profile', async () => {
    await config('[default]\nregion = eu-west-1\n')
    assert.equal((await resolveSettings({'mfa-serial-number': SERIAL}, env)).region, 'eu-west-1')
    assert.equal((await resolveSettings({'mfa-serial-number': SERIAL}, {...env, AWS_DEFAULT_REGION: 'ap-south-1'})).region, 'ap-south-1')
    assert.equal((await resolveSettings({'mfa-serial-number': SERIAL}, {...env, AWS_DEFAULT_REGION: 'ap-south-1', AWS_REGION: 'sa-east-1'})).region, 'sa-east-1')
  })

  it('finds the STS endpoint as the SDK would, but for the source profile', async () => {
    await config('[default]\nendpoint_url = http://from-profile\n\n[profile svc]\nservices = local\n\n[services local]\nsts =\n  endpoint_url = http://from-services\n')
    const s = (extra: Record<string, string>, profile = 'default') => resolveSettings({'mfa-serial-number': SERIAL, profile}, {...env, ...extra})
    assert.equal((await s({})).endpoint, 'http://from-profile')
    assert.equal((await s({}, 'svc')).endpoint, 'http://from-services')
    assert.equal((await s({AWS_ENDPOINT_URL: 'http://global'})).endpoint, 'http://global')
    assert.equal((await s({AWS_ENDPOINT_URL: 'http://global', AWS_ENDPOINT_URL_STS: 'http://sts'})).endpoint, 'http://sts')
    assert.equal((await s({AWS_ENDPOINT_URL: 'http://global', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true'})).endpoint, undefined)
    assert.equal((await s({}, 'other')).endpoint, undefined)
  })

  it('honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, with ~ and $VARS expanded', async () => {
    const s = await resolveSettings({'mfa-serial-number': SERIAL}, {...env, AWS_CONFIG_FILE: '$HOME/cfg', AWS_SHARED_CREDENTIALS_FILE: '~/creds'})
    assert.equal(s.credentialsFile, path.join(home, 'creds'))
    assert.equal(s.configFile, path.join(home, 'cfg'))
  })

  it('picks the STS endpoint by sts_regional_endpoints as botocore does', async () => {
    await config(`[default]\nmfa_serial = ${SERIAL}\nsts_regional_endpoints = legacy\n`)
    const at = (extra: Record<string, string>) => resolveSettings({}, {...env, ...extra})
    assert.deepEqual([(await at({AWS_REGION: 'eu-west-1'})).endpoint, (await at({AWS_REGION: 'eu-west-1'})).region], ['https://sts.amazonaws.com', 'us-east-1'])
    assert.equal((await at({AWS_REGION: 'ap-east-1'})).endpoint, undefined, 'a region newer than the global endpoint uses its own')
    assert.equal((await at({AWS_REGION: 'eu-west-1', AWS_STS_REGIONAL_ENDPOINTS: 'regional'})).endpoint, undefined, 'the environment wins')
    assert.equal((await at({AWS_ENDPOINT_URL_STS: 'http://local'})).endpoint, 'http://local', 'a configured endpoint wins')
    await assert.rejects(at({AWS_STS_REGIONAL_ENDPOINTS: 'global'}), /AWS_STS_REGIONAL_ENDPOINTS is "global", which is neither legacy nor regional/)
    await assert.rejects(at({AWS_REGION: 'eu west'}), /AWS_REGION is "eu west", which is not a region name/)
  })

  it('leaves STS to the AWS SDK for FIPS and dual-stack endpoints (wherever the SDK would see them) and for MFA_CREDS_STS_CLIENT=sdk', async () => {
    await config(`[default]\nmfa_serial = ${SERIAL}\n\n[profile fips]\nmfa_serial = ${SERIAL}\nuse_fips_endpoint = true\n\n[profile off]\nmfa_serial = ${SERIAL}\nuse_dualstack_endpoint = false\n`)
    const viaSdk = async (extra: Record<string, string>, profile = 'default') => (await resolveSettings({profile}, {...env, ...extra})).viaSdk ?? false
    assert.equal(await viaSdk({}), false)
    assert.equal(await viaSdk({}, 'off'), false)
    assert.equal(await viaSdk({MFA_CREDS_STS_CLIENT: 'auto'}), false)
    assert.equal(await viaSdk({MFA_CREDS_STS_CLIENT: 'sdk'}), true)
    assert.equal(await viaSdk({AWS_USE_FIPS_ENDPOINT: 'true'}), true)
    assert.equal(await viaSdk({AWS_USE_DUALSTACK_ENDPOINT: 'TRUE'}), true, 'a value the SDK refuses: the SDK says so, as it always did')
    assert.equal(await viaSdk({AWS_USE_FIPS_ENDPOINT: 'false'}), false)
    assert.equal(await viaSdk({}, 'fips'), true, "PROFILE's section")
    assert.equal(await viaSdk({AWS_PROFILE: 'fips'}), true, 'the section the SDK reads (AWS_PROFILE)')
    assert.equal(await viaSdk({AWS_USE_FIPS_ENDPOINT: 'false'}, 'fips'), false, 'the environment wins, as in the SDK')
    await assert.rejects(viaSdk({MFA_CREDS_STS_CLIENT: 'boto'}), /MFA_CREDS_STS_CLIENT is "boto", which is neither auto nor sdk/)
  })

  it('resolves a role profile: keys and serial from source_profile, its own target, the session of the source', async () => {
    await config(`[default]\nmfa_serial = ${SERIAL}\nduration_seconds = 43200\n\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\nduration_seconds = 3600\n`)
    const admin = await resolveSettings({profile: 'admin'}, env)
    assert.deepEqual([admin.sourceProfile, admin.targetProfile, admin.mfaSerial, admin.durationSeconds], ['default', 'admin-mfa', SERIAL, 3600])
    assert.deepEqual([admin.role?.arn, admin.role?.session?.targetProfile, admin.role?.session?.durationSeconds], ['arn:aws:iam::123456789012:role/admin', 'default-mfa', 43_200])
    assert.equal((await resolveSettings({profile: 'admin', session: false}, env)).role?.session, undefined)
    const flag = await resolveSettings({'role-arn': 'arn:aws:iam::123456789012:role/path/ops'}, env)
    assert.deepEqual([flag.sourceProfile, flag.targetProfile], ['default', 'default-ops-mfa'])
    await assert.rejects(resolveSettings({duration: 43_201, profile: 'admin'}, env), UsageError)
  })

  it('resolves a role chain: each hop from its own section, the serial from the first that has one, one session mode', async () => {
    await config([
      '[default]\nduration_seconds = 43200\n',
      `[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = default\nmfa_serial = ${SERIAL}\nrole_session_name = sa\nexternal_id = xa\nduration_seconds = 7200\n`,
      '[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\nduration_seconds = 1800\n',
      '[profile c]\nrole_arn = arn:aws:iam::123456789012:role/c\nsource_profile = b\nrole_session_name = sc\n',
    ].join('\n'))
    const c = await resolveSettings({'external-id': 'flag-x', profile: 'c'}, env)
    assert.deepEqual([c.sourceProfile, c.targetProfile, c.mfaSerial, c.durationSeconds, c.role?.externalId, c.role?.session?.targetProfile], ['default', 'c-mfa', SERIAL, undefined, 'flag-x', 'b-mfa'])
    const b = c.role!.chained!
    assert.deepEqual([b.profile, b.targetProfile, b.durationSeconds, b.role?.arn, b.role?.externalId, b.role?.sessionName, b.role?.session?.targetProfile], ['b', 'b-mfa', 1800, 'arn:aws:iam::123456789012:role/b', undefined, undefined, 'a-mfa'])
    const a = b.role!.chained!
    assert.deepEqual([a.profile, a.targetProfile, a.durationSeconds, a.role?.externalId, a.role?.sessionName, a.role?.chained], ['a', 'a-mfa', 7200, 'xa', 'sa', undefined])
    assert.deepEqual([a.role?.session?.targetProfile, a.role?.session?.durationSeconds, a.sourceProfile, a.mfaSerial], ['default-mfa', 43_200, 'default', SERIAL])
    const direct = await resolveSettings({profile: 'c', session: false}, env)
    assert.deepEqual([direct.role?.session, direct.role?.chained?.role?.session, direct.role?.chained?.role?.chained?.role?.session], [undefined, undefined, undefined])
    await assert.rejects(resolveSettings({duration: 3601, profile: 'c'}, env), /from 900 to 3600 seconds/)
    assert.equal((await resolveSettings({duration: 3600, profile: 'c'}, env)).durationSeconds, 3600)
    assert.equal((await resolveSetupSettings({profile: 'c'}, env)).sourceProfile, 'default')
  })

  it('finds whose keys sign by one rule, for a refresh and for setup alike', async () => {
    await config([
      `[default]\nmfa_serial = ${SERIAL}\n`,
      '[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\n',
      '[profile orphan]\nrole_arn = arn:aws:iam::123456789012:role/orphan\n',
      '[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/chained\nsource_profile = admin\n',
      '[profile loop]\nrole_arn = arn:aws:iam::123456789012:role/loop\nsource_profile = back\n',
      '[profile back]\nrole_arn = arn:aws:iam::123456789012:role/back\nsource_profile = loop\n',
      '[profile env]\nrole_arn = arn:aws:iam::123456789012:role/env\ncredential_source = Environment\n',
      `[profile plain]\nmfa_serial = ${SERIAL}\n`,
    ].join('\n'))
    const both = (profile: string) => Promise.allSettled([
      resolveSettings({profile}, env).then(s => s.sourceProfile),
      resolveSetupSettings({profile}, env).then(s => s.sourceProfile),
    ])
    for (const [profile, source] of [['admin', 'default'], ['chained', 'default'], ['plain', 'plain'], ['default', 'default']]) {
      assert.deepEqual((await both(profile)).map(r => r.status === 'fulfilled' && r.value), [source, source], profile)
    }

    const refused = [
      ['orphan', /role_arn in \[profile orphan\] .* has no source_profile/],
      ['loop', /the role chain of loop loops: loop -> back -> loop/],
      ['env', /\[profile env\] .* has credential_source = Environment/],
    ] as const
    for (const [profile, said] of refused) {
      for (const outcome of await both(profile)) {
        assert.equal(outcome.status, 'rejected', profile)
        assert.ok(outcome.reason instanceof ConfigError, `${profile}: ${outcome.reason}`)
        assert.match(outcome.reason.message, said)
      }
    }
  })

  it('rejects bad values with the right kind of error', async () => {
    await assert.rejects(resolveSettings({}, env), ConfigError)
    await assert.rejects(resolveSettings({'mfa-serial-number': 'x'}, env), UsageError)
    await assert.rejects(resolveSettings({duration: 899, 'mfa-serial-number': SERIAL}, env), UsageError)
    await assert.rejects(resolveSettings({'mfa-serial-number': SERIAL, 'target-profile': 'default'}, env), UsageError)
    await assert.rejects(resolveSettings({'mfa-serial-number': SERIAL, 'target-profile': 'a\nb'}, env), UsageError)
    await config(`[default]\nmfa_serial = ${SERIAL}\nduration_seconds = 12h\n`)
    await assert.rejects(resolveSettings({}, env), /duration_seconds = 12h/)
  })
})

describe('time: expirations', () => {
  it('reads RFC 3339 with any offset and the naive UTC form; refuses nonsense', () => {
    assert.equal(parseExpiration('2026-11-24T06:21:04Z')?.toISOString(), '2026-11-24T06:21:04.000Z')
    assert.equal(parseExpiration('2026-11-24T07:21:04+01:00')?.toISOString(), '2026-11-24T06:21:04.000Z')
    assert.equal(parseExpiration('2026-11-24T06:21:04.5-0230')?.toISOString(), '2026-11-24T08:51:04.500Z')
    assert.equal(parseExpiration('2026-11-24 06:21:04')?.toISOString(), '2026-11-24T06:21:04.000Z')
    for (const bad of ['', 'tomorrow', '2026-02-31T00:00:00Z', '2026-11-24', undefined]) assert.equal(parseExpiration(bad), undefined)
  })

  it('is fresh only while expiration - lead time is still ahead', () => {
    const now = new Date('2026-11-24T00:00:00Z')
    assert.equal(isFresh(new Date('2026-11-24T00:05:01Z'), now, 300), true)
    assert.equal(isFresh(new Date('2026-11-24T00:05:00Z'), now, 300), false)
    assert.equal(isFresh(undefined, now, 300), false)
  })
})

describe('aws/profiles: shlex.split as Python does it', () => {
  it('splits profile headers', () => {
    assert.deepEqual(shlexSplit('profile work'), ['profile', 'work'])
    assert.deepEqual(shlexSplit('profile "my work"'), ['profile', 'my work'])
    assert.deepEqual(shlexSplit("profile 'a b' c"), ['profile', 'a b', 'c'])
    assert.deepEqual(shlexSplit(String.raw`profile a\ b`), ['profile', 'a b'])
    assert.deepEqual(shlexSplit(String.raw`profile "a\"b\x"`), ['profile', String.raw`a"b\x`])
    assert.equal(shlexSplit('profile "open'), undefined)
  })
})
