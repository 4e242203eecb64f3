/**
 * The protocol lock (DESIGN.md, "Protocol"): `.credentials.lock` in the directory of the
 * credentials file's path as configured, created 0600 if missing and never deleted; exclusive
 * locks on the whole file, of the kinds `lockPlatform()` (lock-platform.ts) names for this
 * platform, taken in that order and released together: flock(2) then an fcntl (POSIX) write lock
 * on Linux, where the two families do not see each other; flock(2) alone on macOS and the BSDs,
 * where they share one list per vnode and a process's fcntl lock would block on its own flock
 * (lock-platform.ts cites the kernel sources). Windows is refused (ConfigError) until built.
 *
 * Facts this module is built around (Linux, where it is proved against real peers):
 * - the calls go to libc through koffi (libc.ts), non-blocking only: a blocking F_SETLKW would
 *   freeze the event loop and could not be abandoned at a timeout, so non-blocking attempts are
 *   repeated with a growing pause until the deadline;
 * - fcntl locks belong to the process and closing any fd of the file drops them: one fd per lock
 *   file at a time in this process, users serialized by an in-process mutex;
 * - the kernel drops both locks when the holder dies, so there are no stale locks to clean;
 * - a file system without lock support answers ENOLCK or EOPNOTSUPP: said so, not retried.
 */
import fsCallback, {promises as fs} from 'node:fs'
import path from 'node:path'

import {
  ConfigError, errnoCode, LockTimeoutError, throwIfAborted,
} from '../errors.js'
import {sleep} from '../time.js'
import {
  anchorDir, AnchoredDir, openOwnedFile, Owner, ownerFor, UnsafePathError,
} from './anchor.js'
import {fcntlWriteLock, flock} from './libc.js'
import {LockKind, lockPlatform} from './lock-platform.js'

/** Seconds a writer waits for the protocol lock unless told otherwise (--lock-timeout). */
export const DEFAULT_LOCK_TIMEOUT = 120

export const LOCK_FILE_NAME = '.credentials.lock'

/** The protocol lock file for a credentials file path as configured (next to a symlink, not its target). */
export function lockPathFor(credentialsFile: string): string {
  return path.join(path.dirname(path.resolve(credentialsFile)), LOCK_FILE_NAME)
}

const STATE_DIR_NAME = '.mfa-creds'

/** mfa-creds' own state (prompt locks, watcher records) beside the credentials file. */
export function stateDir(credentialsFile: string): string {
  return path.join(path.dirname(path.resolve(credentialsFile)), STATE_DIR_NAME)
}

export interface LockHolder {
  /** The process's short name (/proc/PID/comm), never its command line. */
  command?: string
  kind: 'flock' | 'posix'
  pid: number
}

export interface LockOptions {
  /** Told, after release, how long the lock was held (from taken to released) in milliseconds. */
  onHeld?: (ms: number) => void
  /** Told once, with who holds the lock, when the first attempt finds it taken. */
  onWait?: (holders: LockHolder[]) => void
  /** Stop waiting (AbortedError) when this aborts. */
  signal?: AbortSignal
  /** Give up (LockTimeoutError) after this long; wait for ever when undefined. */
  timeoutMs?: number
}

const BUSY = new Set(['EACCES', 'EAGAIN', 'EWOULDBLOCK'])

/** Runs one non-blocking lock call: true when done, false when another holder has the lock. */
async function attempt(call: () => Promise<void>): Promise<boolean> {
  try {
    await call()
    return true
  } catch (error) {
    if (BUSY.has(errnoCode(error) ?? '')) return false
    throw error
  }
}

/** One non-blocking flock call: true when done, false when another holder has it. */
export function flockOnce(fd: number, flag: 'exnb' | 'un'): Promise<boolean> {
  return attempt(() => flock(fd, flag))
}

/** One non-blocking fcntl write lock on the whole file: true when taken, false when another holder has it. */
function fcntlWriteOnce(fd: number): Promise<boolean> {
  return attempt(() => fcntlWriteLock(fd))
}

/** One non-blocking attempt at a lock of `kind` on the whole file. */
function lockOnce(fd: number, kind: LockKind): Promise<boolean> {
  return kind === 'flock' ? flockOnce(fd, 'exnb') : fcntlWriteOnce(fd)
}

/** In-process mutex per lock path: the fcntl lock cannot tell two users in one process apart. */
const queues = new Map<string, Promise<void>>()

async function withMutex<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve()
  let release!: () => void
  const mine = new Promise<void>(resolve => {
    release = resolve
  })
  const tail = previous.then(() => mine)
  queues.set(key, tail)
  await previous
  try {
    return await fn()
  } finally {
    release()
    if (queues.get(key) === tail) queues.delete(key)
  }
}

/** What a file system without lock support answers flock(2) or fcntl(2) with. */
const NO_LOCKS = new Set(['ENOLCK', 'ENOTSUP', 'EOPNOTSUPP'])

function lockFileError(error: unknown, lockPath: string, kind?: LockKind): ConfigError {
  const code = errnoCode(error)
  if (kind && code && NO_LOCKS.has(code)) {
    const call = kind === 'flock' ? 'flock' : 'an fcntl lock'
    return new ConfigError(
      `the file system of ${path.dirname(lockPath)} does not support file locks (${code} from ${call} on ${path.basename(lockPath)}); `
        + 'mfa-creds cannot share the credentials file safely there',
      'keep the credentials file on a local file system, or one whose locks work (NFS with its lock service running): '
        + 'move it, or point AWS_SHARED_CREDENTIALS_FILE at one; the lock file goes beside it',
    )
  }

  if (code === 'EISDIR') {
    return new ConfigError(`the lock file ${lockPath} is a directory`, 'remove that directory; the lock file must be a plain file')
  }

  if (error instanceof UnsafePathError) return new ConfigError(`cannot use the lock file ${lockPath}: ${error.message}`, 'remove or fix it; nothing was changed')
  if (code === 'ELOOP') {
    return new ConfigError(`the lock file ${lockPath} is a symbolic link, which mfa-creds never follows`, `remove it (rm ${lockPath}); mfa-creds makes a plain one`)
  }

  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new ConfigError(`cannot open the lock file ${lockPath}: permission denied`, `check the owner and mode of ${path.dirname(lockPath)}`)
  }

  return new ConfigError(`cannot open the lock file ${lockPath}: ${(error as Error).message}`)
}

/**
 * Opens a lock file for locking (created 0600 if missing), never through a symlink at its own
 * name; run as root, what is created belongs to the credentials file's owner, so that the user's
 * own programs can still take the lock (files/anchor.ts).
 */
function openLockFile(lock: LockFile): number {
  try {
    const dir = lock.dir()
    try {
      // A plain fd, not a FileHandle: releasing is closing it, synchronously (see releaseHeld).
      return openOwnedFile(dir, path.basename(lock.path), lock.owner)
    } finally {
      dir.close()
    }
  } catch (error) {
    throw lockFileError(error, lock.path)
  }
}

/** A lock file: where it is, how to open its directory, and who owns what is created for it. */
interface LockFile {
  dir: () => AnchoredDir
  owner: Owner
  path: string
}

/**
 * Who owns what is made beside the credentials file's path as configured (lock file, state
 * directory): the owner of that directory, else of its nearest existing parent. Not the owner of
 * what a symlink there leads to: a link is not what decides who may lock.
 */
export function ownerOfPlace(credentialsFile: string): Owner {
  return ownerFor(path.dirname(path.resolve(credentialsFile)))
}

function protocolLockFile(credentialsFile: string): LockFile {
  const lockPath = lockPathFor(credentialsFile)
  const owner = ownerOfPlace(credentialsFile)
  return {dir: () => anchorDir(path.dirname(lockPath), {create: true, owner})!, owner, path: lockPath}
}

/**
 * mfa-creds' state directory beside the credentials file, opened (made 0700 if missing): a real
 * directory, never a symlink, belonging to the credentials file's owner (files/anchor.ts).
 */
export function openStateDir(credentialsFile: string, create: boolean): AnchoredDir | undefined {
  const owner = ownerOfPlace(credentialsFile)
  const parent = anchorDir(path.dirname(path.resolve(credentialsFile)), {create, owner})
  if (!parent) return undefined
  try {
    if (!create && !fsCallback.existsSync(parent.entry(STATE_DIR_NAME))) return undefined
    return parent.child(STATE_DIR_NAME, {create, owner})
  } finally {
    parent.close()
  }
}

function sameInode(fd: number, lockPath: string): boolean {
  try {
    const a = fsCallback.fstatSync(fd)
    const b = fsCallback.statSync(lockPath)
    return a.ino === b.ino && a.dev === b.dev
  } catch {
    return false
  }
}

/**
 * Releases both locks at once: closing the only fd of the lock file drops this process's fcntl
 * lock and, as the fd is not shared (opened close-on-exec, never duplicated), its flock too. One
 * synchronous call, so the release does not wait behind the thread pool or the event loop.
 */
function releaseHeld(fd: number): void {
  fsCallback.closeSync(fd)
}

/** Takes each of `kinds` on fd, in order: true when all are had, false at the first one someone else holds. */
async function lockAll(fd: number, kinds: readonly LockKind[], lockPath: string): Promise<boolean> {
  for (const kind of kinds) {
    let taken: boolean
    try {
      taken = await lockOnce(fd, kind)
    } catch (error) {
      throw lockFileError(error, lockPath, kind)
    }

    if (!taken) return false
  }

  return true
}

/**
 * Takes `kinds` on lockPath, in order, retrying non-blocking attempts until the timeout.
 * Returns undefined on timeout.
 */
async function acquire(lock: LockFile, kinds: readonly LockKind[], options: LockOptions): Promise<number | undefined> {
  const lockPath = lock.path
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs
  let pause = 2
  let told = false
  for (;;) {
    throwIfAborted(options.signal)
    const fd = openLockFile(lock)
    try {
      if (await lockAll(fd, kinds, lockPath)) {
        if (sameInode(fd, lockPath)) return fd
        // The lock file was replaced while we locked the old one: lock the new one.
        releaseHeld(fd)
        continue
      }
    } catch (error) {
      releaseHeld(fd)
      throw error instanceof ConfigError ? error : lockFileError(error, lockPath)
    }

    // Taken by someone else: closing the fd drops the flock if we had it (see releaseHeld).
    releaseHeld(fd)
    if (!told && options.onWait) {
      told = true
      options.onWait(await lockHolders(lockPath))
    }

    const left = deadline - Date.now()
    if (left <= 0) return undefined
    await sleep(Math.min(pause, left), options.signal)
    pause = Math.min(pause * 1.5, 100)
  }
}

async function withLock<T>(lock: LockFile, kinds: readonly LockKind[], options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lockPath = lock.path
  return withMutex(lockPath, async () => {
    const held = await acquire(lock, kinds, options)
    if (held === undefined) {
      const holders = await lockHolders(lockPath)
      throw new LockTimeoutError(
        `the lock ${lockPath} was not free within ${Math.round((options.timeoutMs ?? 0) / 1000)} s${describeHolders(holders)}`,
        'wait for that program to finish, or give a longer timeout',
      )
    }

    const taken = performance.now()
    try {
      return await fn()
    } finally {
      releaseHeld(held)
      options.onHeld?.(performance.now() - taken)
    }
  })
}

/** Runs fn while holding the protocol lock (this platform's kinds, lock-platform.ts) for this credentials file. */
export async function withProtocolLock<T>(credentialsFile: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const {protocol} = lockPlatform()
  return withLock(protocolLockFile(credentialsFile), protocol, options, fn)
}

/** Runs fn while holding an flock-only lock on `name` in the state directory (our own locks, not the protocol's). */
export async function withStateLock<T>(credentialsFile: string, name: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const {own} = lockPlatform()
  return withLock({
    dir: () => openStateDir(credentialsFile, true)!, owner: ownerOfPlace(credentialsFile), path: path.join(stateDir(credentialsFile), name),
  }, own, options, fn)
}

export function describeHolders(holders: LockHolder[]): string {
  if (holders.length === 0) return ''
  const names = [...new Map(holders.map(h => [h.pid, h])).values()].map(h => `${h.command ?? 'process'} (pid ${h.pid})`)
  return `; held by ${names.join(', ')}`
}

/** Who holds locks on this file, from /proc/locks (Linux); an empty list elsewhere. */
export async function lockHolders(lockPath: string): Promise<LockHolder[]> {
  if (lockPlatformOrNone()?.holders !== 'proc-locks') return []
  let stat
  let table: string
  try {
    stat = await fs.stat(lockPath, {bigint: true})
    table = await fs.readFile('/proc/locks', 'utf8')
  } catch {
    return []
  }

  const major = (stat.dev >> 8n) & 0xF_FFn
  const minor = (stat.dev & 0xFFn) | ((stat.dev >> 12n) & 0xF_FF_00n)
  const holders: LockHolder[] = []
  for (const line of table.split('\n')) {
    const m = /^\d+:\s+(->\s+)?(FLOCK|POSIX|OFDLCK)\s+\S+\s+\S+\s+(-?\d+)\s+([\da-f]+):([\da-f]+):(\d+)\s/.exec(line)
    if (!m || m[1]) continue
    if (BigInt(m[6]) !== stat.ino || BigInt(`0x${m[4]}`) !== major || BigInt(`0x${m[5]}`) !== minor) continue
    const pid = Number(m[3])
    if (pid <= 0) continue
    let command: string | undefined
    try {
      command = (await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim()
    } catch {
      // The holder just exited.
    }

    holders.push({command, kind: m[2] === 'FLOCK' ? 'flock' : 'posix', pid})
  }

  return holders
}

function lockPlatformOrNone(): ReturnType<typeof lockPlatform> | undefined {
  try {
    return lockPlatform()
  } catch {
    return undefined
  }
}
