/**
 * Which lock kinds the protocol lock takes on each platform (README, "The file protocol, in
 * short"). The rule comes from each kernel's source, read for this; only Linux is also proved
 * by tests against real peers (test/core/lock.test.ts, test/e2e/locking.test.ts).
 *
 * Linux (and Android, the same kernel), fs/locks.c: flock_lock_inode() looks for conflicts only
 * in the inode's ctx->flc_flock list, posix_lock_inode() only in ctx->flc_posix. The two
 * families never see each other, so the protocol takes both: flock(2), then an fcntl write lock.
 *
 * macOS, XNU bsd/kern/kern_lockf.c: lf_advlock() puts every advisory lock on the vnode in one
 * list (vp->v_lockf) with lf_id = the caller's id; lf_getblock() -> lf_findoverlap(OTHERS)
 * treats any overlapping write lock with another lf_id as blocking. bsd/kern/kern_descrip.c
 * gives sys_flock()'s locks the open file (fp->fp_glob, F_FLOCK) as id and
 * sys_fcntl_nocancel()'s F_SETLK the process (F_POSIX). So a process holding a flock finds its
 * own flock in the way of its own fcntl lock: F_SETLK fails for ever, F_SETLKW sleeps for ever.
 * And because the kinds conflict with each other there, a flock alone excludes holders of
 * either kind. macOS takes flock alone (what the seed's binary, Haskell `filelock`, takes).
 *
 * FreeBSD, sys/kern/kern_lockf.c: lf_advlockasync() keeps one state per vnode (*statep, which
 * vop_stdadvlock() in sys/kern/vfs_default.c passes as &vp->v_lockf) and finds the owner by id
 * (lf_owner_matches: lo_id == id); lf_blocks() is "owners differ, one is a write lock, ranges
 * overlap", whatever the kind. sys/kern/kern_descrip.c: sys_flock() passes the struct file
 * (F_FLOCK), kern_fcntl() F_SETLK the process (p->p_leader, F_POSIX). Same as macOS: flock alone.
 *
 * OpenBSD and NetBSD, sys/kern/vfs_lockf.c: lf_advlock() links every lock into the one list
 * per inode (*head) with lf_id = id, and lf_getblock() -> lf_findoverlap(OTHERS) blocks on
 * any overlapping write lock with another lf_id. sys_flock() passes the file (F_FLOCK);
 * fcntl F_SETLK passes the process (NetBSD) or its descriptor table (OpenBSD's sys_fcntl,
 * fdp), with F_POSIX. Same again: flock alone.
 *
 * Windows: the seed's `filelock` takes LockFileEx there; not built yet, so refused. What it
 * would take: LockFileEx(handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, MAXDWORD,
 * MAXDWORD, &overlapped) on the lock file's HANDLE (koffi can call kernel32 as it calls libc here,
 * with _get_osfhandle for Node's fd), retried with backoff as on POSIX, UnlockFileEx or closing
 * the handle to release; and Windows' rename-over-an-open-file rules for the atomic replace.
 * Any other platform (AIX, illumos, ...): refused too. Both kinds would be the safe rule there,
 * but the fcntl call needs `struct flock` and F_SETLK as that platform's headers define them, and
 * only Linux's are written down and proved (libc.ts).
 */
import {ConfigError} from '../errors.js'

export type LockKind = 'fcntl' | 'flock'

export interface LockPlatform {
  /** Where lock holders can be read from, for `status` and lock-wait messages. */
  holders: 'none' | 'proc-locks'
  /** What mfa-creds' own locks (prompt locks) take: only mfa-creds shares them. */
  own: readonly LockKind[]
  /** What the protocol lock on `.credentials.lock` takes, in this order. */
  protocol: readonly LockKind[]
}

const BOTH: readonly LockKind[] = Object.freeze(['flock', 'fcntl'])
const FLOCK: readonly LockKind[] = Object.freeze(['flock'])

/** The lock rule for `platform` (process.platform by default); a ConfigError where locking is not built. */
export function lockPlatform(platform: NodeJS.Platform = process.platform): LockPlatform {
  switch (platform) {
    case 'android':
    case 'linux': {
      return {holders: 'proc-locks', own: FLOCK, protocol: BOTH}
    }

    case 'darwin':
    case 'freebsd':
    case 'netbsd':
    case 'openbsd': {
      return {holders: 'none', own: FLOCK, protocol: FLOCK}
    }

    case 'win32': {
      throw new ConfigError(
        'file locking on Windows is not supported yet: mfa-creds cannot share the credentials file safely there',
        'the lock other tools take on Windows (LockFileEx, as the seed\'s filelock does) is not built yet; run mfa-creds under WSL, or on Linux or macOS',
      )
    }

    default: {
      throw new ConfigError(
        `file locking on ${platform} is not built: mfa-creds cannot share the credentials file safely there`,
        'mfa-creds locks on Linux, macOS and the BSDs; on this platform, run it in a Linux VM or container',
      )
    }
  }
}
