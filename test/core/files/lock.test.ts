import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {ConfigError, LockTimeoutError} from '../../../src/core/errors.js'
import {lockHolders, lockPathFor, withProtocolLock} from '../../../src/core/files/lock.js'
import {
  NoLockFs, PythonLockHolder, tryLock, waitFor,
} from '../../support/peers.js'

/** Runs fn with process.platform reading `platform` (the lock rule's input), then puts it back. */
async function asPlatform<T>(platform: NodeJS.Platform, fn: () => Promise<T>): Promise<T> {
  const real = Object.getOwnPropertyDescriptor(process, 'platform')!
  Object.defineProperty(process, 'platform', {...real, value: platform})
  try {
    return await fn()
  } finally {
    Object.defineProperty(process, 'platform', real)
  }
}

describe('lock: the protocol lock against other processes', () => {
  let dir: string
  let creds: string
  let lockFile: string

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-lock-'))
    creds = path.join(dir, 'credentials')
    lockFile = lockPathFor(creds)
  })

  afterEach(() => fs.rm(dir, {force: true, recursive: true}))

  it('is .credentials.lock beside the configured path, created 0600 and left in place', async () => {
    assert.equal(lockFile, path.join(dir, '.credentials.lock'))
    await withProtocolLock(creds, {}, async () => {})
    const stat = await fs.stat(lockFile)
    assert.equal(stat.mode & 0o777, 0o600)
  })

  for (const kind of ['lockf', 'flock'] as const) {
    it(`waits while python3 fcntl.${kind} holds it, and goes on once it is released`, async () => {
      await fs.writeFile(lockFile, '')
      const holder = await PythonLockHolder.hold(lockFile, kind)
      let entered = 0
      let waitedFor: string | undefined
      const done = withProtocolLock(creds, {
        onWait(h) {
          waitedFor = h.map(x => x.command).join(',')
        }, timeoutMs: 10_000,
      }, async () => {
        entered = Date.now()
      })
      // It has found the lock taken and is waiting: named the holder, not entered.
      await waitFor(() => waitedFor, 15_000, 'the lock to report its holder')
      assert.equal(entered, 0, 'entered the lock while python held it')
      const released = Date.now()
      await holder.release()
      await done
      assert.ok(entered >= released)
      assert.match(waitedFor ?? '', /python/)
    })
  }

  it('gives up with LockTimeoutError naming the holder, without running the work', async () => {
    await fs.writeFile(lockFile, '')
    const holder = await PythonLockHolder.hold(lockFile, 'lockf')
    let ran = false
    try {
      await assert.rejects(
        withProtocolLock(creds, {timeoutMs: 300}, async () => {
          ran = true
        }),
        (error: unknown) => error instanceof LockTimeoutError && error.exitCode === 75 && /python3? \(pid \d+\)/.test(error.message),
      )
    } finally {
      await holder.release()
    }

    assert.equal(ran, false)
  })

  it('excludes non-blocking fcntl.lockf and fcntl.flock of other processes while held', async () => {
    await withProtocolLock(creds, {}, async () => {
      assert.equal(await tryLock(lockFile, 'lockf'), 'busy')
      assert.equal(await tryLock(lockFile, 'flock'), 'busy')
      const holders = await lockHolders(lockFile)
      assert.deepEqual(new Set(holders.map(h => h.kind)), new Set(['flock', 'posix']))
      assert.ok(holders.every(h => h.pid === process.pid))
    })
    assert.equal(await tryLock(lockFile, 'lockf'), 'free')
    assert.equal(await tryLock(lockFile, 'flock'), 'free')
  })

  it('serializes users inside one process', async () => {
    const log: string[] = []
    const work = (name: string) =>
      withProtocolLock(creds, {}, async () => {
        log.push(`${name}+`)
        await new Promise(resolve => {
          setTimeout(resolve, 30)
        })
        log.push(`${name}-`)
      })
    await Promise.all([work('a'), work('b'), work('c')])
    assert.deepEqual(log, ['a+', 'a-', 'b+', 'b-', 'c+', 'c-'])
  })

  it('takes only the kinds the platform rule names: under the macOS rule a flock alone, seen from real peers', async () => {
    // On this Linux kernel the two kinds are independent, so python's lockf shows what was not taken.
    await asPlatform('darwin', () => withProtocolLock(creds, {}, async () => {
      assert.equal(await tryLock(lockFile, 'flock'), 'busy')
      assert.equal(await tryLock(lockFile, 'lockf'), 'free')
      assert.deepEqual(await lockHolders(lockFile), [], 'holders are read from /proc/locks on Linux only')
    }))
    assert.equal(await tryLock(lockFile, 'flock'), 'free')
  })

  it('refuses Windows with a ConfigError before creating the lock file', async () => {
    await assert.rejects(
      asPlatform('win32', () => withProtocolLock(creds, {}, async () => {
        assert.fail('ran the work on Windows')
      })),
      (error: unknown) => error instanceof ConfigError && /on Windows is not supported yet/.test(error.message),
    )
    await assert.rejects(fs.stat(lockFile), {code: 'ENOENT'})
  })

  it('explains a lock file that is a directory', async () => {
    await fs.mkdir(lockFile)
    await assert.rejects(
      withProtocolLock(creds, {}, async () => {}),
      (error: unknown) => error instanceof ConfigError && /is a directory/.test(error.message),
    )
  })
})

describe('lock: on a file system without file locks', () => {
  let dir: string
  let mounted: NoLockFs | undefined

  before(function () {
    if (!NoLockFs.available()) this.skip() // a FUSE mount needs root and /dev/fuse
  })

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-nolock-'))
  })

  afterEach(async () => {
    await mounted?.unmount()
    mounted = undefined
    await fs.rm(dir, {force: true, recursive: true})
  })

  // Node names errno 95 (EOPNOTSUPP, the same number as ENOTSUP on Linux) ENOTSUP.
  for (const [fails, errno, code, call] of [['fcntl', 'ENOLCK', 'ENOLCK', 'an fcntl lock'], ['flock', 'EOPNOTSUPP', 'ENOTSUP', 'flock']] as const) {
    it(`says the file system cannot lock (${errno} from ${fails}), with what to do, and runs nothing`, async () => {
      mounted = await NoLockFs.mount(dir, fails, errno)
      let ran = false
      await assert.rejects(
        withProtocolLock(path.join(dir, 'credentials'), {timeoutMs: 5000}, async () => {
          ran = true
        }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, String(error))
          assert.equal(error.exitCode, 6)
          assert.equal(error.message, `the file system of ${dir} does not support file locks (${code} from ${call} on .credentials.lock); `
            + 'mfa-creds cannot share the credentials file safely there')
          assert.doesNotMatch(error.message, /cannot open the lock file/)
          assert.match(error.hint ?? '', /local file system/)
          assert.match(error.hint ?? '', /AWS_SHARED_CREDENTIALS_FILE/)
          return true
        },
      )
      assert.equal(ran, false)
    })
  }
})
