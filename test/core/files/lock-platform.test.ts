import assert from 'node:assert/strict'

import {ConfigError} from '../../../src/core/errors.js'
import {lockPlatform} from '../../../src/core/files/lock-platform.js'

describe('lock-platform: which lock kinds each platform takes', () => {
  it('takes flock(2) and then an fcntl write lock on Linux (and Android, the same kernel)', () => {
    for (const platform of ['linux', 'android'] as const) {
      assert.deepEqual(lockPlatform(platform).protocol, ['flock', 'fcntl'], platform)
      assert.deepEqual(lockPlatform(platform).own, ['flock'], platform)
    }
  })

  it('takes flock(2) alone on macOS and the BSDs, where one flock excludes holders of either kind', () => {
    for (const platform of ['darwin', 'freebsd', 'openbsd', 'netbsd'] as const) {
      assert.deepEqual(lockPlatform(platform).protocol, ['flock'], platform)
      assert.deepEqual(lockPlatform(platform).own, ['flock'], platform)
    }
  })

  it('reads lock holders from /proc/locks on Linux only', () => {
    assert.equal(lockPlatform('linux').holders, 'proc-locks')
    assert.equal(lockPlatform('darwin').holders, 'none')
    assert.equal(lockPlatform('freebsd').holders, 'none')
  })

  it('refuses Windows with a ConfigError that says locking there is not built yet', () => {
    assert.throws(
      () => lockPlatform('win32'),
      (error: unknown) => error instanceof ConfigError && error.exitCode === 6
        && /Windows/.test(error.message) && /not supported yet/.test(error.message) && /LockFileEx/.test(error.hint ?? ''),
    )
  })

  it('refuses any other platform, whose struct flock and F_SETLK are not written down: never a lock of unknown layout', () => {
    for (const platform of ['sunos', 'aix', 'haiku', 'cygwin'] as const) {
      assert.throws(
        () => lockPlatform(platform),
        (error: unknown) => error instanceof ConfigError && error.exitCode === 6 && error.message.includes(`file locking on ${platform} is not built`),
        platform,
      )
    }
  })

  it('answers for the running platform when given none', () => {
    assert.deepEqual(lockPlatform(), lockPlatform(process.platform))
  })
})
