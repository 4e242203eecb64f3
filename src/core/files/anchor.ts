/**
 * Working on a file through its directory, opened once: the defence against a user who swaps a
 * symlink between two path look-ups when root (sudo keeping HOME, a system service) writes that
 * user's files.
 *
 * - `resolveReal` follows every symlink of a path, component by component, as the kernel would,
 *   and remembers who owns each link. Run as root, a link owned by anyone but root or the owner of
 *   the file it leads to is refused: another user could point it anywhere.
 * - `AnchoredDir` opens the directory the path resolved to and checks that the descriptor is that
 *   directory. Every later step names files through the descriptor: on Linux as
 *   `/proc/self/fd/N/NAME`, which the kernel resolves from the open directory as openat(2) does,
 *   so a component swapped for a symlink afterwards changes nothing. Where there is no /proc, the
 *   real path is used and the directory's inode is checked again before each step.
 * - Files are opened inside it with O_NOFOLLOW: a symlink put at the final name is refused, not
 *   followed.
 */
import fs, {constants as fsConstants} from 'node:fs'
import path from 'node:path'

import {errnoCode} from '../errors.js'

/** The effective uid when it is root (0), else undefined: the checks below are for root's writes. */
export function runningAsRoot(): boolean {
  return process.geteuid?.() === 0
}

/** Who owns what mfa-creds creates for a file: its uid and gid. */
export interface Owner {
  gid: number
  uid: number
}

export interface ResolvedPath {
  /** The symlinks passed on the way, with their owners. */
  links: Array<{owner: number; path: string}>
  /** The path with no symlink left in it (the final name may not exist). */
  real: string
}

const MAX_LINKS = 40

function loopError(file: string): Error {
  return Object.assign(new Error(`too many levels of symbolic links: ${file}`), {code: 'ELOOP'})
}

/**
 * Follows every symlink in `file` (even a dangling last one) to the path a write must replace.
 * Missing components end the walk: the rest is taken as it is.
 */
export function resolveReal(file: string): ResolvedPath {
  // A link replaced between lstat and readlink (EINVAL: no longer a link) is looked at again.
  for (let attempt = 1; ; attempt++) {
    try {
      return resolveOnce(file)
    } catch (error) {
      if (errnoCode(error) !== 'EINVAL' || attempt >= 5) {
        if (errnoCode(error) === 'EINVAL') throw new UnsafePathError(`the symbolic links on the way to ${file} keep changing`, 'EXDEV')
        throw error
      }
    }
  }
}

function resolveOnce(file: string): ResolvedPath {
  const links: ResolvedPath['links'] = []
  // Not path.resolve: `link/..` is the parent of where the link leads, as the kernel reads it.
  let pending = (path.isAbsolute(file) ? file : `${process.cwd()}${path.sep}${file}`).split(path.sep).filter(Boolean)
  let current: string = path.sep
  let hops = 0
  while (pending.length > 0) {
    const [name, ...rest] = pending
    pending = rest
    if (name === '.') continue
    if (name === '..') {
      current = path.dirname(current)
      continue
    }

    const next = path.join(current, name)
    let stat: fs.Stats
    try {
      stat = fs.lstatSync(next)
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error
      return {links, real: path.join(next, ...pending)}
    }

    if (!stat.isSymbolicLink()) {
      current = next
      continue
    }

    if (++hops > MAX_LINKS) throw loopError(file)
    links.push({owner: stat.uid, path: next})
    const target = fs.readlinkSync(next)
    pending = [...target.split(path.sep).filter(Boolean), ...pending]
    if (path.isAbsolute(target)) current = path.sep
  }

  return {links, real: current}
}

/**
 * The owner of what is created for `file`: the file's own owner, else the owner of its nearest
 * existing directory (a first run makes ~/.aws in a HOME that belongs to the user).
 */
export function ownerFor(file: string): Owner {
  let at = path.resolve(file)
  for (;;) {
    try {
      const stat = fs.statSync(at)
      return {gid: stat.gid, uid: stat.uid}
    } catch (error) {
      const parent = path.dirname(at)
      if (parent === at || !['ENOENT', 'ENOTDIR'].includes(errnoCode(error) ?? '')) return {gid: process.getegid?.() ?? 0, uid: process.geteuid?.() ?? 0}
      at = parent
    }
  }
}

/** A refusal of a path: `code` says what kind (ELOOP, EXDEV, EPERM), the message what and why. */
export class UnsafePathError extends Error {
  constructor(message: string, readonly code: string) {
    super(message)
    this.name = 'UnsafePathError'
  }
}

/** As root: every symlink on the way must belong to root or to the owner of what it leads to. */
export function checkLinkOwners(resolved: ResolvedPath, owner: number): void {
  if (!runningAsRoot()) return
  for (const link of resolved.links) {
    if (link.owner !== 0 && link.owner !== owner) {
      throw new UnsafePathError(
        `${link.path} is a symbolic link owned by uid ${link.owner}, neither root nor the file's owner (uid ${owner}): run as root, mfa-creds does not follow it`,
        'EPERM',
      )
    }
  }
}

const PROC_FD = '/proc/self/fd'
let procUsable: boolean | undefined

function hasProcFd(): boolean {
  procUsable ??= (() => {
    try {
      return fs.statSync(PROC_FD).isDirectory()
    } catch {
      return false
    }
  })()
  return procUsable
}

/** A directory opened once; files in it are named through the descriptor (see the file header). */
export class AnchoredDir {
  private closed = false

  private constructor(readonly fd: number, readonly realPath: string, private readonly ino: number, private readonly dev: number) {}

  /** Opens the directory `realPath` (already free of symlinks: see resolveReal) and checks it is the one named. */
  static open(realPath: string): AnchoredDir {
    const fd = fs.openSync(realPath, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW)
    try {
      const stat = fs.fstatSync(fd)
      const dir = new AnchoredDir(fd, realPath, stat.ino, stat.dev)
      dir.verify()
      return dir
    } catch (error) {
      fs.closeSync(fd)
      throw error
    }
  }

  /**
   * The directory `name` in this one, made (mode 0700, owned by `owner`) when `create` and missing.
   * It must be a real directory, not a symlink, and ours or the owner's (see claim).
   */
  child(name: string, options: {create: boolean; owner: Owner}): AnchoredDir {
    const at = this.entry(name)
    let created = false
    if (options.create) {
      try {
        fs.mkdirSync(at, 0o700)
        created = true
      } catch (error) {
        if (errnoCode(error) !== 'EEXIST') throw error
      }
    }

    let fd: number
    try {
      fd = fs.openSync(at, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW)
    } catch (error) {
      if (errnoCode(error) === 'ELOOP' || errnoCode(error) === 'ENOTDIR') {
        throw new UnsafePathError(`${path.join(this.realPath, name)} is a symbolic link or not a directory; mfa-creds never follows a link there`, 'ELOOP')
      }

      throw error
    }

    try {
      const stat = fs.fstatSync(fd)
      claim(fd, stat, options.owner, path.join(this.realPath, name), created)
      const dir = new AnchoredDir(fd, path.join(this.realPath, name), stat.ino, stat.dev)
      dir.verify()
      return dir
    } catch (error) {
      fs.closeSync(fd)
      throw error
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    fs.closeSync(this.fd)
  }

  /** A path for a system call on `name` in this directory (no separator in it). */
  entry(name: string): string {
    if (name.includes(path.sep) || name === '..' || name === '.') throw new UnsafePathError(`not a plain file name: ${name}`, 'EINVAL')
    if (hasProcFd()) return `${PROC_FD}/${this.fd}/${name}`
    this.verify()
    return path.join(this.realPath, name)
  }

  /** The names in this directory. */
  list(): string[] {
    return fs.readdirSync(hasProcFd() ? `${PROC_FD}/${this.fd}` : this.realPath)
  }

  /** fsync of the directory itself: makes a rename in it survive a power cut. */
  sync(): void {
    try {
      fs.fsyncSync(this.fd)
    } catch {
      // Some file systems cannot fsync a directory; the rename is done all the same.
    }
  }

  /** The descriptor is still the directory at realPath: nothing on the way was swapped for a link. */
  private verify(): void {
    let same: boolean
    if (hasProcFd()) {
      same = fs.readlinkSync(`${PROC_FD}/${this.fd}`) === this.realPath
    } else {
      const stat = fs.lstatSync(this.realPath)
      same = stat.isDirectory() && stat.ino === this.ino && stat.dev === this.dev
    }

    if (!same) {
      throw new UnsafePathError(`the directory ${this.realPath} was moved or replaced by a symbolic link while mfa-creds was using it`, 'EXDEV')
    }
  }
}

/**
 * What root creates for a user's file belongs to that user: a file or directory root has just
 * made is given to `owner`. One found there is never given away (it may be a root file the user
 * moved or hard-linked into place); run as root, one of a third user's is refused (it could have
 * been placed to mislead), and so is, for anyone, one that is neither ours nor the owner's.
 */
function claim(fd: number, stat: fs.Stats, owner: Owner, where: string, created: boolean): void {
  const me = process.geteuid?.()
  if (me === undefined || stat.uid === owner.uid) return
  if (created) {
    if (me === 0) fs.fchownSync(fd, owner.uid, owner.gid)
    return
  }

  if (stat.uid === me) return
  throw new UnsafePathError(`${where} belongs to uid ${stat.uid}, neither to the owner of the credentials file (uid ${owner.uid}) nor to this user`, 'EPERM')
}

/**
 * The directory `dirPath`, anchored: symlinks on the way resolved (and, as root, their owners
 * checked against `owner`), missing directories made when `create` (0700, owned by `owner`).
 * Undefined when it does not exist and `create` is false.
 */
export function anchorDir(dirPath: string, options: {create: boolean; owner: Owner}): AnchoredDir | undefined {
  const resolved = resolveReal(dirPath)
  checkLinkOwners(resolved, options.owner.uid)
  const missing: string[] = []
  let existing = resolved.real
  while (!fs.existsSync(existing)) {
    if (!options.create) return undefined
    missing.unshift(path.basename(existing))
    existing = path.dirname(existing)
  }

  let dir = AnchoredDir.open(existing)
  for (const name of missing) {
    const next = dir.child(name, options)
    dir.close()
    dir = next
  }

  return dir
}

/**
 * Opens the file `name` in `dir` for reading and writing, created (mode 0600) if missing, never
 * through a symlink; what root creates belongs to `owner` (see claim).
 * For lock and state files, which persist.
 */
export function openOwnedFile(dir: AnchoredDir, name: string, owner: Owner): number {
  const where = path.join(dir.realPath, name)
  let created = true
  let fd: number
  try {
    fd = openIn(dir, name, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_EXCL)
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error
    created = false
    fd = openIn(dir, name, fsConstants.O_RDWR | fsConstants.O_NONBLOCK)
  }

  try {
    const stat = fs.fstatSync(fd)
    if (!stat.isFile()) throw Object.assign(new Error(`${where} is not a regular file`), {code: 'ENOTREG'})
    claim(fd, stat, owner, where, created)
    return fd
  } catch (error) {
    fs.closeSync(fd)
    throw error
  }
}

/** Creates the new file `name` in `dir` (O_EXCL: an existing file or symlink there is an error). */
export function createExclusive(dir: AnchoredDir, name: string, mode: number): number {
  return openIn(dir, name, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode)
}

/** A new state file (0600, read-write, O_EXCL), belonging to `owner` when root makes it. */
export function createNew(dir: AnchoredDir, name: string, owner: Owner): number {
  const fd = openIn(dir, name, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600)
  try {
    claim(fd, fs.fstatSync(fd), owner, path.join(dir.realPath, name), true)
    return fd
  } catch (error) {
    fs.closeSync(fd)
    throw error
  }
}

/** Opens `name` in `dir` without following a symlink there (ELOOP if it is one). */
export function openIn(dir: AnchoredDir, name: string, flags: number, mode = 0o600): number {
  return fs.openSync(dir.entry(name), flags | fsConstants.O_NOFOLLOW, mode)
}
