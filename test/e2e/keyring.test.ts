import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {KeyringBus, keyringBusForSuite} from '../support/keyring.js'
import {botocoreCreds, StsStub, waitFor} from '../support/peers.js'
import {
  collect, LONG_TERM, RunResult, Sandbox, sandboxWithStub, SERIAL,
} from '../support/sandbox.js'

/** Keys only the keyring holds: none of them is in any file of the sandbox. */
const KEYRING_KEYS = {accessKeyId: 'AKIAKEYRINGSOURCE001', secretAccessKey: 'keyring/Source+Secret00000000000000000000'}
const SESSION = {accessKeyId: 'ASIAKEYRINGSESSION01', secretAccessKey: 'session/Secret+FromStub000000000000000000', sessionToken: 'FwoGZXIvYXdzEOT//////////keyring+session+token=='}

/** An entry as a user of another tool would store it: our JSON, through secret-tool (the secret on its stdin). */
async function storeWithSecretTool(bus: KeyringBus, profile: string, secret: string): Promise<void> {
  const stored = await bus.secretTool(['store', `--label=mfa-creds ${profile}`, 'service', 'mfa-creds', 'username', profile], secret)
  assert.equal(stored.code, 0, stored.stderr)
}

const OUR_JSON = JSON.stringify({...KEYRING_KEYS, created: '2026-11-24T06:21:04Z'})

function assertNoSecret(result: RunResult, what: string): void {
  for (const secret of [KEYRING_KEYS.secretAccessKey, LONG_TERM.secretAccessKey]) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${what}: a secret appeared in the output:\n${result.stdout}\n${result.stderr}`)
  }
}

/** Exit 6 with `said`, before any code was asked for: no STS request, no credentials file, no secret shown. */
async function assertRefusedEarly(box: Sandbox, stub: StsStub, result: RunResult, said: RegExp): Promise<void> {
  assert.equal(result.code, 6, result.stderr)
  assert.match(result.stderr, said)
  assertNoSecret(result, 'a refusal')
  assert.deepEqual(await box.askpassCalls(), [], 'asked for a code')
  assert.equal(stub.requests.length, 0, 'STS was called')
  await assert.rejects(fs.stat(box.credentialsFile), 'the credentials file was made')
}

describe('keyring source: long-term keys from the OS keyring (a real Secret Service)', () => {
  const keyring = keyringBusForSuite(bus => bus.startKeyring('unlocked'))
  // Each test: no credentials file at all, `[default]` with an MFA serial only, and a stub STS.
  const fixture = sandboxWithStub(null, StsStub.success(SESSION))

  beforeEach(() => fs.writeFile(fixture.box.configFile, `[default]\nmfa_serial = ${SERIAL}\n`))
  const run = (args: string[], env: Record<string, string | undefined> = {}) => fixture.box.run(args, {
    AWS_ENDPOINT_URL: fixture.stub.url, DBUS_SESSION_BUS_ADDRESS: keyring.bus.address, ...env,
  })

  afterEach(async () => {
    await keyring.bus.secretTool(['clear', 'service', 'mfa-creds'])
  })

  it('refresh-once --source keyring signs with keys secret-tool stored; botocore reads [default-mfa]; no key lands in the file', async () => {
    const {box, stub} = fixture
    await storeWithSecretTool(keyring.bus, 'default', OUR_JSON)
    const result = await run(['refresh-once', '--source', 'keyring'])
    assert.equal(result.code, 0, result.stderr)
    assertNoSecret(result, 'refresh-once')
    assert.equal(stub.requests.length, 1)
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${KEYRING_KEYS.accessKeyId}/`), 'signed with the keyring\'s keys')
    assert.deepEqual(await botocoreCreds(box.credentialsFile, 'default-mfa'), {
      access_key: SESSION.accessKeyId, method: 'shared-credentials-file', secret_key: SESSION.secretAccessKey, token: SESSION.sessionToken,
    })
    const file = await box.readCredentials()
    assert.ok(!file.includes(KEYRING_KEYS.accessKeyId) && !file.includes(KEYRING_KEYS.secretAccessKey), file)
    assert.doesNotMatch(file, /^\[default\]/m, 'a long-term [default] section was written')
  })

  it('mfa_creds_source = keyring in ~/.aws/config: refresh-once and credential-process take the keys from the keyring', async () => {
    const {box, stub} = fixture
    await storeWithSecretTool(keyring.bus, 'default', OUR_JSON)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = keyring\n`)
    const refreshed = await run(['refresh-once'])
    assert.equal(refreshed.code, 0, refreshed.stderr)
    assertNoSecret(refreshed, 'refresh-once')
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${KEYRING_KEYS.accessKeyId}/`))
    assert.equal((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.access_key, SESSION.accessKeyId)

    // A fresh sandbox state for credential-process: nothing cached, so it must refresh too.
    await fs.rm(box.credentialsFile)
    const processed = await run(['credential-process'])
    assert.equal(processed.code, 0, processed.stderr)
    assert.ok(!processed.stderr.includes(KEYRING_KEYS.secretAccessKey), processed.stderr)
    const json = JSON.parse(processed.stdout)
    assert.equal(json.AccessKeyId, SESSION.accessKeyId)
    assert.equal(stub.requests.length, 2)
    assert.match(stub.requests[1].authorization, new RegExp(`Credential=${KEYRING_KEYS.accessKeyId}/`))
    const file = await box.readCredentials()
    assert.ok(!file.includes(KEYRING_KEYS.accessKeyId) && !file.includes(KEYRING_KEYS.secretAccessKey), file)
  })

  it('watch keeps [default-mfa] fresh with the keyring\'s keys, asking the keyring each cycle', async function () {
    this.timeout(90_000)
    const {box, stub} = fixture
    await storeWithSecretTool(keyring.bus, 'default', OUR_JSON)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = keyring\n`)
    // As STS does: credentials that last as long as asked for (900 s, due again after 4 s here).
    stub.fallback = form => StsStub.success({...SESSION, expiration: new Date(Date.now() + (Number(form.DurationSeconds) * 1000))})
    const child = box.start(['watch', '--duration', '900', '--refresh-lead-time', '896'], {AWS_ENDPOINT_URL: stub.url, DBUS_SESSION_BUS_ADDRESS: keyring.bus.address})
    const done = collect(child)
    try {
      await waitFor(() => (stub.requests.length >= 2 ? true : undefined), 60_000, 'two refreshes by watch')
    } finally {
      child.kill('SIGTERM')
    }

    const result = await done
    assert.equal(result.code, 0, result.stderr)
    assertNoSecret(result, 'watch')
    for (const request of stub.requests) assert.match(request.authorization, new RegExp(`Credential=${KEYRING_KEYS.accessKeyId}/`))
    const file = await box.readCredentials()
    assert.ok(!file.includes(KEYRING_KEYS.accessKeyId) && !file.includes(KEYRING_KEYS.secretAccessKey), file)
  })

  it('a role profile takes the keyring entry of its source_profile', async () => {
    const {box, stub} = fixture
    await storeWithSecretTool(keyring.bus, 'default', OUR_JSON)
    await fs.writeFile(box.configFile, [
      `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = keyring\n`,
      '[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\nmfa_creds_session = false\n',
    ].join('\n'))
    stub.fallback = StsStub.success(SESSION, 'AssumeRole')
    const result = await run(['refresh-once', '-p', 'admin'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(stub.requests[0].form.Action, 'AssumeRole')
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${KEYRING_KEYS.accessKeyId}/`))
  })

  it('the keys are in no child\'s environment or argv while the code is asked for', async () => {
    const {box} = fixture
    await storeWithSecretTool(keyring.bus, 'default', OUR_JSON)
    const {env, seen} = await box.peekingAskpass()
    const result = await run(['refresh-once', '--source', 'keyring'], env)
    assert.equal(result.code, 0, result.stderr)
    const text = await fs.readFile(seen, 'utf8')
    assert.match(text, /refresh-once/, 'the peek saw mfa-creds\' own command line')
    for (const secret of [KEYRING_KEYS.secretAccessKey, KEYRING_KEYS.accessKeyId]) assert.ok(!text.includes(secret), `${secret} is visible to a child:\n${text}`)
  })

  it('keys import moves the file\'s keys into the keyring; list shows them masked with an age; refresh uses them; remove takes them out', async () => {
    const {box, stub} = fixture
    await fs.writeFile(box.credentialsFile, `# mine\n[default]\naws_access_key_id = ${KEYRING_KEYS.accessKeyId}\naws_secret_access_key = ${KEYRING_KEYS.secretAccessKey}\n\n[other]\nregion = eu-west-1\n`)
    const imported = await run(['keys', 'import', '-p', 'default', '--source', 'keyring'])
    assert.equal(imported.code, 0, imported.stderr)
    assertNoSecret(imported, 'keys import')
    assert.equal(await box.readCredentials(), '# mine\n[other]\nregion = eu-west-1\n', 'the keys (and their emptied section) left the file, and nothing else did')
    assert.match(await fs.readFile(box.configFile, 'utf8'), /^mfa_creds_source = keyring$/m)
    const entry = await keyring.bus.secretTool(['lookup', 'service', 'mfa-creds', 'username', 'default'])
    assert.equal(JSON.parse(entry.stdout).accessKeyId, KEYRING_KEYS.accessKeyId, 'secret-tool sees the entry')

    const listed = await run(['keys', 'list', '--json'])
    assert.equal(listed.code, 0, listed.stderr)
    assertNoSecret(listed, 'keys list')
    const [key] = JSON.parse(listed.stdout).keys
    assert.deepEqual([key.profile, key.source, key.accessKeyId], ['default', 'keyring', 'AKIA...E001'])
    assert.ok(Math.abs(Date.parse(key.created) - Date.now()) < 600_000, `stored just now: ${key.created}`)

    const refreshed = await run(['refresh-once'])
    assert.equal(refreshed.code, 0, refreshed.stderr)
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${KEYRING_KEYS.accessKeyId}/`))
    const status = await run(['status', '--json'])
    assert.equal(JSON.parse(status.stdout).profiles[0].keys, 'keyring')

    const removed = await run(['keys', 'remove', '-p', 'default', '--force'])
    assert.equal(removed.code, 0, removed.stderr)
    assert.notEqual((await keyring.bus.secretTool(['lookup', 'service', 'mfa-creds', 'username', 'default'])).code, 0, 'the entry is gone')
  })

  it('no entry for the profile: exit 6 with how to add one, before any code is asked for', async () => {
    // Another profile's entry is not this one's.
    await storeWithSecretTool(keyring.bus, 'someone-else', OUR_JSON)
    const result = await run(['refresh-once', '--source', 'keyring'])
    await assertRefusedEarly(fixture.box, fixture.stub, result, /no keys for profile default in the keyring \(service mfa-creds\)/)
    assert.match(result.stderr, /add them with mfa-creds keys add -p default --source keyring/)
  })

  it('an entry that is not our JSON: exit 6, and what it holds is not shown', async () => {
    await storeWithSecretTool(keyring.bus, 'default', `aws_secret_access_key = ${KEYRING_KEYS.secretAccessKey}`)
    const result = await run(['refresh-once', '--source', 'keyring'])
    await assertRefusedEarly(fixture.box, fixture.stub, result, /the keyring entry of profile default \(service mfa-creds\) is not mfa-creds' JSON/)
  })

  it('refuses options: the keyring source takes none', async () => {
    const result = await run(['refresh-once', '--source', 'keyring', '--source-option', 'store=keyutils'])
    assert.equal(result.code, 2, result.stderr)
    assert.match(result.stderr, /the keyring credential source's options are not usable: unknown option store/)
    assert.equal(fixture.stub.requests.length, 0)
  })
})

describe('keyring source: a keyring that cannot be used', () => {
  // Each test: no credentials file at all, `[default]` with an MFA serial only, and a stub STS.
  const fixture = sandboxWithStub(null, StsStub.success(SESSION))

  beforeEach(() => fs.writeFile(fixture.box.configFile, `[default]\nmfa_serial = ${SERIAL}\n`))
  const run = (args: string[], env: Record<string, string | undefined>) => fixture.box.run(args, {AWS_ENDPOINT_URL: fixture.stub.url, ...env})

  it('no session bus (DBUS_SESSION_BUS_ADDRESS unset): exit 6 before any code is asked for', async () => {
    const result = await run(['refresh-once', '--source', 'keyring'], {DBUS_SESSION_BUS_ADDRESS: undefined})
    await assertRefusedEarly(fixture.box, fixture.stub, result, /cannot reach the D-Bus session bus .*DBUS_SESSION_BUS_ADDRESS is not set/)
    assert.match(result.stderr, /set DBUS_SESSION_BUS_ADDRESS/)
  })

  it('a dead session bus (nothing at DBUS_SESSION_BUS_ADDRESS): exit 6, with credential-process too', async () => {
    const dead = `unix:path=${path.join(fixture.box.root, 'no-bus-here')}`
    const result = await run(['refresh-once', '--source', 'keyring'], {DBUS_SESSION_BUS_ADDRESS: dead})
    await assertRefusedEarly(fixture.box, fixture.stub, result, /cannot reach the D-Bus session bus .*nothing answers at DBUS_SESSION_BUS_ADDRESS=unix:path=/)
    await fs.writeFile(fixture.box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = keyring\n`)
    const processed = await run(['credential-process'], {DBUS_SESSION_BUS_ADDRESS: dead})
    assert.equal(processed.stdout, '')
    await assertRefusedEarly(fixture.box, fixture.stub, processed, /cannot reach the D-Bus session bus/)
  })

  describe('a bus with no keyring daemon on it', () => {
    const keyring = keyringBusForSuite(async () => {})

    it('exit 6: nothing offers the Secret Service', async () => {
      const result = await run(['refresh-once', '--source', 'keyring'], {DBUS_SESSION_BUS_ADDRESS: keyring.bus.address})
      await assertRefusedEarly(fixture.box, fixture.stub, result, /no keyring on the D-Bus session bus: nothing offers the Secret Service/)
    })
  })

  describe('a locked keyring (the daemon started and never unlocked)', () => {
    const keyring = keyringBusForSuite(async bus => {
      // The login keyring is made (and the entry put in it) by a daemon that unlocked it; the next one never does.
      await bus.startKeyring('unlocked')
      await storeWithSecretTool(bus, 'default', OUR_JSON)
      await bus.stopKeyring()
      await bus.startKeyring('locked')
    })

    it('exit 6: the keyring is locked; no unlock prompt could be shown, and no code was asked for', async () => {
      const result = await run(['refresh-once', '--source', 'keyring'], {DBUS_SESSION_BUS_ADDRESS: keyring.bus.address})
      await assertRefusedEarly(fixture.box, fixture.stub, result, /the keyring is locked, and it was not unlocked/)
      assert.match(result.stderr, /unlock it/)
      // It is still locked: secret-tool cannot read the entry either.
      const lookup = await keyring.bus.secretTool(['lookup', 'service', 'mfa-creds', 'username', 'default'])
      assert.equal(lookup.stdout, '')
    })
  })
})
