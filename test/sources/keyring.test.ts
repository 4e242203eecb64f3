import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import path from 'node:path'
import {promisify} from 'node:util'

import type {KeySource} from '../../src/core/refresh/ports.js'

import {AbortedError, ConfigError} from '../../src/core/errors.js'
import {parseExpiration} from '../../src/core/time.js'
import {sourcePort} from '../../src/extensions/source.js'
import {
  formatKeyringEntry, keyringSource, parseKeyringEntry,
} from '../../src/sources/keyring.js'
import {keyringBusForSuite} from '../support/keyring.js'
import {ROOT} from '../support/peers.js'

const KEYS = {accessKeyId: 'AKIAKEYRINGPORT00001', secretAccessKey: 'port/Keyring+Secret00000000000000000000'}
const OTHER = {accessKeyId: 'AKIAKEYRINGPORT00002', secretAccessKey: 'port/Keyring+Secret11111111111111111111'}

describe('keyring source: the entry format', () => {
  it('reads what it writes, and what another tool writes in the same JSON (created may be left out)', () => {
    const at = new Date('2026-11-24T06:21:04.567Z')
    const text = formatKeyringEntry(KEYS, at)
    assert.deepEqual(JSON.parse(text), {...KEYS, created: '2026-11-24T06:21:04Z'})
    assert.deepEqual(parseKeyringEntry(text, 'alice'), {created: '2026-11-24T06:21:04Z', keys: KEYS})
    assert.deepEqual(parseKeyringEntry(JSON.stringify(KEYS), 'alice'), {created: undefined, keys: KEYS})
  })

  for (const [what, text] of [
    ['not JSON', `secret=${KEYS.secretAccessKey}`],
    ['a JSON string', JSON.stringify(KEYS.secretAccessKey)],
    ['an array', JSON.stringify([KEYS.accessKeyId, KEYS.secretAccessKey])],
    ['credential_process JSON', JSON.stringify({AccessKeyId: KEYS.accessKeyId, SecretAccessKey: KEYS.secretAccessKey, Version: 1})],
    ['an empty secret', JSON.stringify({...KEYS, secretAccessKey: ''})],
    ['a created that is not a string', JSON.stringify({...KEYS, created: 1_700_000_000})],
  ]) {
    it(`refuses ${what} as a ConfigError that repeats nothing of it`, () => {
      assert.throws(() => parseKeyringEntry(text, 'alice'), (error: Error) => {
        assert.ok(error instanceof ConfigError)
        assert.match(error.message, /the keyring entry of profile alice \(service mfa-creds\) is not mfa-creds' JSON/)
        assert.ok(!`${error.message} ${(error as ConfigError).hint}`.includes(KEYS.secretAccessKey))
        return true
      })
    })
  }

  it('takes no options', () => {
    assert.equal(keyringSource.validateOptions!({}), undefined)
    assert.match(String(keyringSource.validateOptions!({store: 'keyutils'})), /unknown option store/)
  })
})

describe('keyring source: the KeySource port against a real Secret Service', () => {
  let port: KeySource
  const saved = process.env.DBUS_SESSION_BUS_ADDRESS
  const keyring = keyringBusForSuite(async bus => {
    await bus.startKeyring('unlocked')
    // The native module reaches the bus this process names (libdbus reads the variable once).
    process.env.DBUS_SESSION_BUS_ADDRESS = bus.address
    port = sourcePort(keyringSource, {}, '/nonexistent/credentials', error => error)
  })
  const bus = () => keyring.bus

  after(() => {
    if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved
  })

  afterEach(async () => {
    await bus().secretTool(['clear', 'service', 'mfa-creds'])
  })

  it('keeps keys: stores and removes, and is not the credentials file', () => {
    assert.equal(port.name, 'keyring')
    assert.equal(port.stores, true)
    assert.equal(port.inCredentialsFile, false)
  })

  it('store puts our JSON where secret-tool finds it (service mfa-creds, username PROFILE); get reads it back', async () => {
    const before = Date.now()
    await port.store('alice', KEYS)
    const lookup = await bus().secretTool(['lookup', 'service', 'mfa-creds', 'username', 'alice'])
    assert.equal(lookup.code, 0, lookup.stderr)
    const stored = JSON.parse(lookup.stdout)
    assert.deepEqual({accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey}, KEYS)
    assert.match(stored.created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    const created = parseExpiration(stored.created)!.getTime()
    assert.ok(created >= before - 1000 && created <= Date.now(), `created ${stored.created} is not the time of the store`)
    // get gives back when they were stored, for keys list's age.
    assert.deepEqual(await port.get('alice'), {...KEYS, created: stored.created})
    // Another profile is another entry.
    await assert.rejects(port.get('bob'), /no keys for profile bob in the keyring/)
  })

  it('store replaces the entry: one item per profile', async () => {
    await port.store('alice', KEYS)
    await port.store('alice', OTHER)
    const search = await bus().secretTool(['search', '--all', 'service', 'mfa-creds', 'username', 'alice'])
    assert.equal(search.code, 0, search.stderr)
    assert.equal(search.stdout.match(/^\[/gm)?.length, 1, search.stdout)
    const {created, ...keys} = await port.get('alice')
    assert.deepEqual(keys, OTHER)
    assert.match(created ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
  })

  it('remove takes the entry away for secret-tool too; removing it again is no error', async () => {
    await port.store('alice', KEYS)
    await port.store('bob', OTHER)
    await port.remove('alice')
    const lookup = await bus().secretTool(['lookup', 'service', 'mfa-creds', 'username', 'alice'])
    assert.notEqual(lookup.code, 0)
    assert.equal(lookup.stdout, '')
    await port.remove('alice')
    await assert.rejects(port.get('alice'), (error: Error) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /no keys for profile alice in the keyring \(service mfa-creds\)/)
      assert.equal(error.hint, 'add them with mfa-creds keys add -p alice --source keyring')
      return true
    })
    const {created, ...bob} = await port.get('bob')
    assert.deepEqual(bob, OTHER, 'another profile\'s entry is left alone')
    assert.ok(created, 'with when it was stored')
  })

  it('get reads an entry secret-tool stored, and refuses one that is not our JSON without showing it', async () => {
    const stored = await bus().secretTool(['store', '--label=alice keys', 'service', 'mfa-creds', 'username', 'alice'], JSON.stringify(KEYS))
    assert.equal(stored.code, 0, stored.stderr)
    assert.deepEqual(await port.get('alice'), KEYS)
    await bus().secretTool(['store', '--label=alice keys', 'service', 'mfa-creds', 'username', 'alice'], KEYS.secretAccessKey)
    await assert.rejects(port.get('alice'), (error: Error) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /is not mfa-creds' JSON/)
      assert.ok(!error.message.includes(KEYS.secretAccessKey))
      return true
    })
  })

  it('an aborted signal stops get before the keyring is asked', async () => {
    await port.store('alice', KEYS)
    const stop = new AbortController()
    stop.abort()
    await assert.rejects(port.get('alice', {signal: stop.signal}), AbortedError)
  })
})

describe('keyring source: a Secret Service with no keyring to store in', () => {
  // A HOME with no login keyring, and no way to prompt for making one.
  const keyring = keyringBusForSuite(bus => bus.startKeyring('empty'))

  it('store: a ConfigError that says so; get: no keys (run in a process of its own: libdbus keeps the first bus address it reads)', async () => {
    const module = path.join(ROOT, 'src', 'sources', 'keyring.ts')
    // The keys go to it on stdin: a secret is never in a child's argv or environment.
    const script = `import {keyringSource} from ${JSON.stringify(module)}
let input = ''
for await (const chunk of process.stdin) input += chunk
const said = []
for (const run of [() => keyringSource.store('alice', JSON.parse(input), {}, {credentialsFile: ''}), () => keyringSource.get('alice', {}, {credentialsFile: ''})]) {
  try { await run(); said.push('ok') } catch (error) { said.push(error.constructor.name + ': ' + error.message) }
}
console.log(JSON.stringify(said))`
    const child = promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, env: keyring.bus.env, timeout: 60_000})
    child.child.stdin!.end(JSON.stringify(KEYS))
    const {stdout} = await child
    const [stored, got] = JSON.parse(stdout) as string[]
    assert.equal(stored, 'ConfigError: the keyring has no default collection to store keys in')
    assert.match(got, /^ConfigError: no keys for profile alice in the keyring/)
    assert.ok(!stdout.includes(KEYS.secretAccessKey))
  })
})
