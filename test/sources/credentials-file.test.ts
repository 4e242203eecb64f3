import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {removeFileKeys} from '../../src/core/aws/file-keys.js'
import {ConfigError, UsageError} from '../../src/core/errors.js'
import {lockPathFor} from '../../src/core/files/lock.js'
import {credentialsFileKeys} from '../../src/sources/credentials-file.js'
import {botocoreCreds, botocoreView, PythonLockHolder} from '../support/peers.js'

const KEYS = {accessKeyId: 'AKIASTOREDSTORED0001', secretAccessKey: 'stored/Secret+Key000000000000000000000000'}
/** What a careless editor would lose: CRLF, comments, a key: value line, a nested block, no final newline. */
const FILE = [
  '# mine\r\n[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\naws_secret_access_key = other\r\n\r\n',
  '[work]\r\nregion: eu-west-1\r\ns3 =\r\n  max_concurrent_requests = 4\r\n\r\n',
  '[default-mfa]\r\naws_access_key_id = ASIAX\r\naws_secret_access_key = s\r\naws_session_token = t\r\nexpiration = 2030-01-01T00:00:00Z',
].join('')

describe('credentials-file source: keeping keys in the file (store, remove)', () => {
  let dir: string
  let file: string

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-keys-'))
    file = path.join(dir, 'credentials')
    await fs.writeFile(file, FILE, {mode: 0o600})
  })

  afterEach(() => fs.rm(dir, {force: true, recursive: true}))

  it('stores into an existing section and a new one, changing no other byte; botocore signs with them', async () => {
    const source = credentialsFileKeys(file)
    assert.equal(source.stores, true)
    await source.store('work', KEYS)
    const lines = `aws_access_key_id = ${KEYS.accessKeyId}\r\naws_secret_access_key = ${KEYS.secretAccessKey}\r\n`
    const afterWork = FILE.replace('  max_concurrent_requests = 4\r\n', `  max_concurrent_requests = 4\r\n${lines}`)
    assert.equal(await fs.readFile(file, 'utf8'), afterWork)
    assert.deepEqual(await source.get('work'), KEYS)
    await source.store('new', KEYS)
    assert.equal(await fs.readFile(file, 'utf8'), `${afterWork}\r\n\r\n[new]\r\n${lines}`)
    const creds = await botocoreCreds(file, 'new')
    assert.deepEqual([creds?.access_key, creds?.secret_key, creds?.token], [KEYS.accessKeyId, KEYS.secretAccessKey, null])
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600)
  })

  it('replaces keys in place, and writes nothing when they are there already', async () => {
    const source = credentialsFileKeys(file)
    await source.store('other', KEYS)
    const text = await fs.readFile(file, 'utf8')
    assert.equal(text, FILE.replace('AKIAOTHEROTHEROTHER1', KEYS.accessKeyId).replace('aws_secret_access_key = other', `aws_secret_access_key = ${KEYS.secretAccessKey}`))
    const {ino} = await fs.stat(file)
    await source.store('other', KEYS)
    assert.equal((await fs.stat(file)).ino, ino, 'the file was replaced for nothing')
  })

  it('refuses a section of session credentials, a role section and a bad name, leaving the file as it was', async () => {
    const source = credentialsFileKeys(file)
    await assert.rejects(source.store('default-mfa', KEYS), (error: unknown) => error instanceof ConfigError && /holds session credentials/.test(error.message))
    await assert.rejects(source.remove('default-mfa'), /holds session credentials/)
    await fs.appendFile(file, '\r\n[role]\r\nrole_arn = arn:aws:iam::123456789012:role/r\r\nsource_profile = other\r\n')
    const before = await fs.readFile(file, 'utf8')
    await assert.rejects(source.store('role', KEYS), /has role_arn/)
    await assert.rejects(source.store('DEFAULT', KEYS), UsageError)
    assert.equal(await fs.readFile(file, 'utf8'), before)
    const refused = await source.store('default-mfa', KEYS).catch((error: Error) => error)
    assert.ok(!JSON.stringify([String(refused), (refused as ConfigError).hint]).includes(KEYS.secretAccessKey))
  })

  it('removes the keys; the section goes when nothing else is left in it; every other profile reads as before', async () => {
    const source = credentialsFileKeys(file)
    const [{view: before}] = await botocoreView(file)
    await source.remove('other')
    const text = await fs.readFile(file, 'utf8')
    assert.equal(text, FILE.replace('[other]\r\naws_access_key_id = AKIAOTHEROTHEROTHER1\r\naws_secret_access_key = other\r\n\r\n', ''))
    const [{view: after}] = await botocoreView(file)
    delete before!.other
    assert.deepEqual(after, before)
    // Nothing there: nothing written.
    await source.remove('other')
    assert.equal(await fs.readFile(file, 'utf8'), text)
    await source.store('work', KEYS)
    await source.remove('work')
    assert.equal(await fs.readFile(file, 'utf8'), text, 'a section with other keys keeps them, byte for byte')
  })

  it('a move removes only the keys it moved: ones replaced meanwhile stay', async () => {
    await assert.rejects(removeFileKeys(file, 'other', {only: KEYS}), (error: unknown) => error instanceof ConfigError
      && /changed while they were being moved \(now AKIA\.\.\.HER1\)/.test(error.message))
    assert.equal(await fs.readFile(file, 'utf8'), FILE)
  })

  it('waits for a lock holder in another process before writing', async () => {
    const holder = await PythonLockHolder.hold(lockPathFor(file), 'flock')
    const stored = credentialsFileKeys(file).store('work', KEYS)
    let done = false
    stored.then(() => {
      done = true
    }, () => {})
    // The write is prepared (a temp file) and waits: check a few times that it has not landed.
    for (let i = 0; i < 10; i++) {
      await new Promise(resolve => {
        setImmediate(resolve)
      })
      assert.equal(await fs.readFile(file, 'utf8'), FILE)
    }

    assert.equal(done, false)
    await holder.release()
    await stored
    assert.match(await fs.readFile(file, 'utf8'), /AKIASTOREDSTORED0001/)
  })
})
