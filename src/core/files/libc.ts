/**
 * The protocol lock's two system calls, flock(2) and fcntl(2) F_SETLK, made straight to libc
 * through koffi: an FFI whose npm packages carry prebuilt N-API binaries, so installing needs no
 * compiler and no node-gyp, and an upgrade of Node (a new ABI) does not break it. Only the
 * non-blocking forms are called (LOCK_NB, F_SETLK): they return at once, so a synchronous call
 * never stalls the event loop; lock.ts waits between attempts, with backoff, and can give up.
 * koffi is loaded on the first call: commands that never lock do not pay for it.
 *
 * The numbers and the layout, from the platform headers they come from:
 * - flock(2): LOCK_EX 2, LOCK_NB 4, LOCK_UN 8, the same on Linux (include/uapi/asm-generic/fcntl.h),
 *   macOS (XNU bsd/sys/fcntl.h) and the BSDs (sys/sys/fcntl.h).
 * - fcntl(2), taken on Linux only (lock-platform.ts: macOS and the BSDs take flock alone): F_SETLK
 *   6 and F_WRLCK 1 (include/uapi/asm-generic/fcntl.h; glibc's F_SETLK is F_SETLK64, the same 6,
 *   on every 64-bit target), SEEK_SET 0, and `struct flock` as include/uapi/asm-generic/fcntl.h
 *   lays it out: short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid, 32 bytes
 *   on 64-bit Linux (l_start at 8, l_pid at 24: koffi.struct pads as the C compiler does).
 *   fcntl is variadic; it is declared so, as Apple's arm64 calling convention requires.
 * - errno: Node's own os.constants.errno, which are the platform's values.
 */
/* eslint-disable camelcase -- struct flock's fields keep the names the C header gives them */
import os from 'node:os'

const LOCK_EX = 2
const LOCK_NB = 4
const LOCK_UN = 8
const F_SETLK = 6
const F_WRLCK = 1
const SEEK_SET = 0

type Koffi = typeof import('koffi').default

interface Libc {
  errno: () => number
  fcntl: (fd: number, cmd: number, type: unknown, value: object) => number
  flock: (fd: number, operation: number) => number
  flockStruct: unknown
}

/** Loaded once, by the first caller; callers that come meanwhile wait for the same load (a type name can be declared only once). */
let libc: Promise<Libc> | undefined

function load(): Promise<Libc> {
  libc ??= declare()
  return libc
}

async function declare(): Promise<Libc> {
  const koffi: Koffi = (await import('koffi')).default
  // dlopen(NULL): the process itself, whose symbols include the C library Node is linked with
  // (glibc or musl), so no library name is guessed.
  const self = koffi.load(null as unknown as string)
  return {
    errno: () => koffi.errno(),
    fcntl: self.func('int fcntl(int fd, int cmd, ...)') as Libc['fcntl'],
    flock: self.func('int flock(int fd, int operation)') as Libc['flock'],
    flockStruct: koffi.pointer(koffi.struct('mfa_creds_flock', {
      l_type: 'short', l_whence: 'short', l_start: 'int64', l_len: 'int64', l_pid: 'int', // eslint-disable-line perfectionist/sort-objects -- the C layout's order
    })),
  }
}

/** errno number -> name; where two names share a number (EAGAIN and EWOULDBLOCK, ENOTSUP and EOPNOTSUPP on Linux), the one Node's own errors use. */
const ERRNO_NAMES = new Map<number, string>()
for (const name of ['EAGAIN', 'ENOTSUP', ...Object.keys(os.constants.errno)]) {
  const value = (os.constants.errno as Record<string, number>)[name]
  if (value !== undefined && !ERRNO_NAMES.has(value)) ERRNO_NAMES.set(value, name)
}

/** A failed call as Node reports one: an Error with `code` (EAGAIN, ENOLCK, ...) and `errno`. */
function callError(call: string, errno: number): NodeJS.ErrnoException {
  const code = ERRNO_NAMES.get(errno) ?? `errno ${errno}`
  return Object.assign(new Error(`${call} failed: ${code}`), {code, errno: -errno, syscall: call})
}

/** flock(fd, LOCK_EX | LOCK_NB) or flock(fd, LOCK_UN); throws the call's error (EWOULDBLOCK when another holder has it). */
export async function flock(fd: number, operation: 'exnb' | 'un'): Promise<void> {
  const c = await load()
  if (c.flock(fd, operation === 'un' ? LOCK_UN : LOCK_EX | LOCK_NB) !== 0) throw callError('flock', c.errno())
}

/** fcntl(fd, F_SETLK) for a write lock on the whole file; throws the call's error (EAGAIN or EACCES when another holder has it). */
export async function fcntlWriteLock(fd: number): Promise<void> {
  if (process.platform !== 'linux' && process.platform !== 'android') {
    throw callError('fcntl', os.constants.errno.ENOSYS)
  }

  const c = await load()
  const result = c.fcntl(fd, F_SETLK, c.flockStruct, {
    l_type: F_WRLCK, l_whence: SEEK_SET, l_start: 0, l_len: 0, l_pid: 0, // eslint-disable-line perfectionist/sort-objects -- the C layout's order
  })
  if (result !== 0) throw callError('fcntl', c.errno())
}
