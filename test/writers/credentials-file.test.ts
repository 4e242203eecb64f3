import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {readSharedFile} from '../../src/core/aws/shared-file.js'
import {
  AbortedError, ConfigError, InternalError, LockTimeoutError,
} from '../../src/core/errors.js'
import {removeStaleTempFiles, writeFileAtomic} from '../../src/core/files/atomic.js'
import {lockPathFor} from '../../src/core/files/lock.js'
import {FileTarget} from '../../src/core/files/target.js'
import {editCredentials, setSectionValues} from '../../src/core/ini/edit.js'
import {parseIni} from '../../src/core/ini/parse.js'
import {WriteResult} from '../../src/core/refresh/ports.js'
import {CredentialsFileWriter} from '../../src/writers/credentials-file.js'
import {botocoreView, PythonLockHolder} from '../support/peers.js'

const VALUES: Array<[string, string]> = [
  ['aws_access_key_id', 'ASIANEW'],
  ['aws_secret_access_key', 'new/secret+key'],
  ['aws_session_token', 'tok/en+value=='],
  ['expiration', '2026-11-24T06:21:04Z'],
]

describe('ini/edit: the format-preserving editor', () => {
  it('replaces keys in place (case-insensitively), dropping their continuation lines', () => {
    const before = '[t]\n# keep\nAWS_ACCESS_KEY_ID = old\nregion = x\naws_session_token = a\n  b\n; note\n  c\nexpiration: 2020-01-01 00:00:00\n'
    const after = setSectionValues(parseIni(before), 't', VALUES)
    assert.equal(
      after,
      '[t]\n# keep\nAWS_ACCESS_KEY_ID = ASIANEW\nregion = x\naws_session_token = tok/en+value==\n; note\nexpiration: 2026-11-24T06:21:04Z\naws_secret_access_key = new/secret+key\n',
    )
  })

  it('puts a new key right after the last key line of the section, with its indentation', () => {
    const before = '[t]\n  region = x\n    more\n\n# trailing comment\n[u]\nk = v\n'
    const after = setSectionValues(parseIni(before), 't', [['expiration', '2026-11-24T06:21:04Z']])
    assert.equal(after, '[t]\n  region = x\n    more\n  expiration = 2026-11-24T06:21:04Z\n\n# trailing comment\n[u]\nk = v\n')
  })

  it('adds a missing section at the end after one blank line, in the file\'s line endings', () => {
    assert.equal(setSectionValues(parseIni('[a]\r\nk = v\r\n'), 't', [VALUES[0]]), '[a]\r\nk = v\r\n\r\n[t]\r\naws_access_key_id = ASIANEW\r\n')
    assert.equal(setSectionValues(parseIni('[a]\nk = v'), 't', [VALUES[0]]), '[a]\nk = v\n\n[t]\naws_access_key_id = ASIANEW\n')
    assert.equal(setSectionValues(parseIni('[a]\nk = v\n\n'), 't', [VALUES[0]]), '[a]\nk = v\n\n[t]\naws_access_key_id = ASIANEW\n')
    assert.equal(setSectionValues(parseIni(''), 't', [VALUES[0]]), '[t]\naws_access_key_id = ASIANEW\n')
  })

  it('keeps a section without a final newline that way', () => {
    assert.equal(setSectionValues(parseIni('[t]\nk = v'), 't', [VALUES[0]]), '[t]\nk = v\naws_access_key_id = ASIANEW')
  })

  it('refuses values and names that would not read back unchanged', () => {
    assert.throws(() => setSectionValues(parseIni(''), 't', [['k', 'a b']]), InternalError)
    assert.throws(() => setSectionValues(parseIni(''), 't', [['k', 'a\nb']]), InternalError)
    assert.throws(() => setSectionValues(parseIni(''), 'DEFAULT', [['k', 'v']]), InternalError)
    assert.throws(() => setSectionValues(parseIni(''), ' t', [['k', 'v']]), InternalError)
  })

  it('writes a target named with brackets so that botocore reads that very name', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-cf-'))
    const file = path.join(dir, 'c')
    const snapshot = await readSharedFile(file, 'credentials file')
    await writeFileAtomic(file, editCredentials(snapshot, 'we]ird[name', VALUES))
    const [{view}] = await botocoreView(file)
    assert.equal(view!['we]ird[name'].aws_session_token, 'tok/en+value==')
    await fs.rm(dir, {force: true, recursive: true})
  })
})

describe('files: reading and the atomic replace', () => {
  let dir: string
  let file: string

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-cf-'))
    file = path.join(dir, 'credentials')
  })

  afterEach(() => fs.rm(dir, {force: true, recursive: true}))

  it('refuses a file botocore refuses, naming the line, and leaves it as it was', async () => {
    await fs.writeFile(file, '[a]\nk = 1\n[a]\n')
    await assert.rejects(readSharedFile(file, 'credentials file'), (error: unknown) => error instanceof ConfigError && /line 3/.test(error.message) && /appears twice/.test(error.message))
    assert.equal(await fs.readFile(file, 'utf8'), '[a]\nk = 1\n[a]\n')
  })

  it('explains a directory where the file should be, and a file it may not read', async () => {
    await fs.mkdir(file)
    await assert.rejects(readSharedFile(file, 'credentials file'), /is a directory/)
    await fs.rmdir(file)
    if (process.getuid?.() !== 0) {
      await fs.writeFile(file, '[a]\n', {mode: 0o000})
      await assert.rejects(readSharedFile(file, 'credentials file'), /permission denied/)
    }
  })

  it('keeps the old mode, and creates a new file 0600', async () => {
    await fs.writeFile(file, '[a]\n', {mode: 0o640})
    await fs.chmod(file, 0o640)
    await writeFileAtomic(file, '[b]\n', 0o640)
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640)
    const other = path.join(dir, 'new')
    await writeFileAtomic(other, '[b]\n')
    assert.equal((await fs.stat(other)).mode & 0o777, 0o600)
  })

  it('keeps the owner of a file that root replaces', async () => {
    await fs.writeFile(file, '[a]\n')
    const owner = {gid: 65_534, uid: 65_534}
    if (process.getuid?.() === 0) await fs.chown(file, owner.uid, owner.gid)
    else Object.assign(owner, {gid: process.getgid!(), uid: process.getuid!()})
    const snapshot = await readSharedFile(file, 'credentials file')
    await writeFileAtomic(file, '[b]\n', snapshot.mode, snapshot.owner)
    const stat = await fs.stat(file)
    assert.deepEqual([stat.uid, stat.gid, await fs.readFile(file, 'utf8')], [owner.uid, owner.gid, '[b]\n'])
  })

  it('writes through a symlink (even a chain or a dangling one): the link stays a link', async () => {
    const real = path.join(dir, 'real', 'creds')
    await fs.mkdir(path.dirname(real))
    await fs.writeFile(real, '[a]\n')
    await fs.symlink('link2', file)
    await fs.symlink(real, path.join(dir, 'link2'))
    await writeFileAtomic(file, '[new]\n')
    assert.ok((await fs.lstat(file)).isSymbolicLink())
    assert.equal(await fs.readFile(real, 'utf8'), '[new]\n')
    assert.deepEqual(await fs.readdir(path.dirname(real)), ['creds'])

    const dangling = path.join(dir, 'dangling')
    await fs.symlink(path.join(dir, 'real', 'later'), dangling)
    await writeFileAtomic(dangling, '[x]\n')
    assert.ok((await fs.lstat(dangling)).isSymbolicLink())
    assert.equal(await fs.readFile(path.join(dir, 'real', 'later'), 'utf8'), '[x]\n')
  })

  it('explains a symlink loop', async () => {
    await fs.symlink(path.join(dir, 'b'), file)
    await fs.symlink(file, path.join(dir, 'b'))
    await assert.rejects(readSharedFile(file, 'credentials file'), /symlink loop/)
    await assert.rejects(writeFileAtomic(file, '[x]\n'), /symlink loop/)
  })

  it('fails cleanly in a read-only directory, leaving no temp file', async () => {
    if (process.getuid?.() === 0) {
      // root ignores directory permissions; use a read-only bind of nothing instead: skip the mode check
      await fs.writeFile(file, '[a]\n')
      await fs.mkdir(path.join(dir, 'ro'))
      const target = path.join(dir, 'ro', 'missing-dir', 'creds')
      await assert.rejects(writeFileAtomic(target, '[b]\n'), ConfigError)
      return
    }

    await fs.writeFile(file, '[a]\n')
    await fs.chmod(dir, 0o500)
    try {
      await assert.rejects(writeFileAtomic(file, '[b]\n'), /permission denied/)
    } finally {
      await fs.chmod(dir, 0o700)
    }

    assert.deepEqual(await fs.readdir(dir), ['credentials'])
    assert.equal(await fs.readFile(file, 'utf8'), '[a]\n')
  })

  it('removes temp files left by dead writers, not those of live ones', async () => {
    const dead = spawn('true')
    await once(dead, 'exit')
    const live = spawn('sleep', ['30'])
    const deadTemp = path.join(dir, `.credentials.mfa-creds.${dead.pid}.0a1b.tmp`)
    const liveTemp = path.join(dir, `.credentials.mfa-creds.${live.pid}.0a1b.tmp`)
    const unrelated = path.join(dir, '.credentials.other.tmp')
    await Promise.all([deadTemp, liveTemp, unrelated].map(p => fs.writeFile(p, 'x')))
    const target = FileTarget.open(file, 'credentials file')
    removeStaleTempFiles(target)
    target.close()
    const left = await fs.readdir(dir)
    live.kill()
    assert.ok(!left.includes(path.basename(deadTemp)))
    assert.ok(left.includes(path.basename(liveTemp)))
    assert.ok(left.includes(path.basename(unrelated)))
  })
})

describe('credentials-file writer: the write prepared before the lock', () => {
  let dir: string
  let file: string
  let holder: PythonLockHolder | undefined

  const NEW = {
    accessKeyId: 'ASIAPREPARED', expiration: new Date(Date.now() + 3_600_000), secretAccessKey: 'prepared/secret', sessionToken: 'prepared+token==',
  }

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-prep-'))
    file = path.join(dir, 'credentials')
    await fs.writeFile(file, '[default]\naws_access_key_id = AKIAKEEP\naws_secret_access_key = keep\n', {mode: 0o600})
    holder = await PythonLockHolder.hold(lockPathFor(file), 'lockf')
  })

  afterEach(async () => {
    await holder?.release()
    await fs.rm(dir, {force: true, recursive: true})
  })

  /** Starts a write while python holds the lock; resolves once its temp file is ready beside the file (or after waitMs). */
  async function startWrite(waitMs = 5000, signal?: AbortSignal): Promise<{temp?: {ino: number; name: string}; write: Promise<WriteResult>}> {
    const write = new CredentialsFileWriter(file).write({credentials: NEW, signal, targetProfile: 'default-mfa'})
    const deadline = Date.now() + waitMs
    while (Date.now() < deadline) {
      const name = (await fs.readdir(dir)).find(n => n.endsWith('.tmp'))
      if (name) return {temp: {ino: (await fs.stat(path.join(dir, name))).ino, name}, write}
      await new Promise(resolve => {
        setTimeout(resolve, 20)
      })
    }

    return {write}
  }

  it('has the new file written and fsynced while it waits; under the lock, that very file is renamed in', async () => {
    const before = await fs.readFile(file, 'utf8')
    const {temp, write} = await startWrite()
    assert.ok(temp, 'no temp file was prepared while the lock was held')
    assert.equal(await fs.readFile(file, 'utf8'), before, 'the file changed while another program held the lock')
    await holder!.release()
    holder = undefined
    assert.equal((await write).action, 'written')
    assert.equal((await fs.stat(file)).ino, temp.ino, 'the prepared file was not the one renamed in')
    const [{view}] = await botocoreView(file)
    assert.equal(view!['default-mfa'].aws_access_key_id, 'ASIAPREPARED')
    assert.deepEqual((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')), [])
  })

  it('drops the prepared file when the holder changed the file, and writes again from what is there now', async () => {
    const {temp, write} = await startWrite()
    assert.ok(temp)
    // What the lock holder writes meanwhile: a section of its own, and the mode it wants.
    await fs.appendFile(file, '\n[theirs]\naws_access_key_id = AKIATHEIRS\naws_secret_access_key = theirs\n')
    await fs.chmod(file, 0o640)
    await holder!.release()
    holder = undefined
    assert.equal((await write).action, 'written')
    assert.notEqual((await fs.stat(file)).ino, temp.ino)
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640)
    const [{view}] = await botocoreView(file)
    assert.equal(view!.theirs.aws_access_key_id, 'AKIATHEIRS')
    assert.equal(view!['default-mfa'].aws_access_key_id, 'ASIAPREPARED')
    assert.deepEqual((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')), [])
  })

  it('keeps a newer refresh the holder made meanwhile, and leaves no temp file', async () => {
    const {temp, write} = await startWrite()
    assert.ok(temp)
    const later = new Date(NEW.expiration.getTime() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z')
    const theirs = `[default-mfa]\naws_access_key_id = ASIATHEIRS\naws_secret_access_key = s\naws_session_token = t\nexpiration = ${later}\n`
    await fs.appendFile(file, `\n${theirs}`)
    const expected = await fs.readFile(file, 'utf8')
    await holder!.release()
    holder = undefined
    assert.equal((await write).action, 'kept-newer')
    assert.equal(await fs.readFile(file, 'utf8'), expected)
    assert.deepEqual((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')), [])
  })

  it('writes under the lock when the file could not be read before it (half written), and reports nothing of it', async () => {
    await fs.writeFile(file, '[default]\naws_access_key_id = AKIAKEEP\n[default]\n')
    const {temp, write} = await startWrite(500)
    assert.equal(temp, undefined, 'a temp file was prepared from a file botocore refuses')
    await fs.writeFile(file, '[default]\naws_access_key_id = AKIAKEEP\naws_secret_access_key = keep\n')
    await holder!.release()
    holder = undefined
    assert.equal((await write).action, 'written')
    const [{view}] = await botocoreView(file)
    assert.equal(view!['default-mfa'].aws_access_key_id, 'ASIAPREPARED')
    assert.equal(view!.default.aws_secret_access_key, 'keep')
  })

  it('lets two writes of one process prepare at once: neither removes the other\'s file, both land', async () => {
    const writes = ['a-mfa', 'b-mfa'].map(targetProfile => new CredentialsFileWriter(file).write({credentials: NEW, targetProfile}))
    await new Promise(resolve => {
      setTimeout(resolve, 300)
    })
    assert.equal((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')).length, 2)
    await holder!.release()
    holder = undefined
    assert.deepEqual((await Promise.all(writes)).map(r => r.action), ['written', 'written'])
    const [{view}] = await botocoreView(file)
    assert.deepEqual([view!['a-mfa'].aws_access_key_id, view!['b-mfa'].aws_access_key_id], ['ASIAPREPARED', 'ASIAPREPARED'])
    assert.deepEqual((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')), [])
  })

  it('removes its prepared file when it gives up waiting for the lock, or is told to stop (watch on SIGTERM)', async () => {
    const before = await fs.readFile(file, 'utf8')
    const timedOut = new CredentialsFileWriter(file).write({credentials: NEW, lockTimeoutMs: 300, targetProfile: 'default-mfa'})
    await assert.rejects(timedOut, LockTimeoutError)
    assert.deepEqual((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')), [])

    const stop = new AbortController()
    const {temp, write} = await startWrite(5000, stop.signal)
    assert.ok(temp)
    stop.abort()
    await assert.rejects(write, AbortedError)
    assert.deepEqual((await fs.readdir(dir)).filter(n => n.endsWith('.tmp')), [])
    assert.equal(await fs.readFile(file, 'utf8'), before)
  })
})
