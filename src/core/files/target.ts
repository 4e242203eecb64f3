/**
 * A file to read and replace, reached through its anchored directory (files/anchor.ts): its
 * bytes as read (RawFile, with what a replacement must keep: mode, owner, which inode), the checks
 * made before a write (not read-only, writable by its owner), and one explanation of a
 * file-system error for the user (fileError).
 */
import fsSync, {constants as fsConstants} from 'node:fs'
import path from 'node:path'

import {ConfigError, errnoCode} from '../errors.js'
import {
  anchorDir, AnchoredDir, checkLinkOwners, openIn, Owner, ownerFor, resolveReal, runningAsRoot, UnsafePathError,
} from './anchor.js'

/** Explains a file-system error on `file` as a ConfigError (exit 6) with a hint. */
export function fileError(error: unknown, file: string, doing: string): ConfigError {
  // A path refused on purpose (files/anchor.ts) says why in its own words, whatever its code.
  if (error instanceof UnsafePathError) {
    const hint = error.code === 'EXDEV' ? 'nothing was changed; try again once nothing is moving it' : 'remove or fix that link, or make it belong to the file\'s owner; nothing was changed'
    return new ConfigError(`cannot ${doing} ${file}: ${error.message}`, hint)
  }

  const code = errnoCode(error)
  switch (code) {
    case 'EACCES':
    case 'EPERM': {
      return new ConfigError(`cannot ${doing} ${file}: permission denied`, `check the owner and mode of ${file} and its directory`)
    }

    case 'EDQUOT':
    case 'ENOSPC': {
      return new ConfigError(`cannot ${doing} ${file}: no space left on the device`, 'free some space and try again; the file was not changed')
    }

    case 'EISDIR': {
      return new ConfigError(`cannot ${doing} ${file}: it is a directory`, `move the directory away; ${file} must be a file`)
    }

    case 'ELOOP': {
      return new ConfigError(`cannot ${doing} ${file}: too many levels of symbolic links (a symlink loop?), or a symlink put in its place while mfa-creds was using it`, `fix the symlinks at ${file}`)
    }

    case 'ENOTREG': {
      return new ConfigError(`cannot ${doing} ${file}: it is not a regular file (a pipe, socket or device)`, `put a plain file at ${file}`)
    }

    case 'ENOTDIR': {
      return new ConfigError(`cannot ${doing} ${file}: a part of the path is not a directory`, `check the path ${file}`)
    }

    case 'EROFS': {
      return new ConfigError(`cannot ${doing} ${file}: read-only file system`, 'the file was not changed')
    }

    default: {
      const detail = error instanceof Error ? error.message : String(error)
      return new ConfigError(`cannot ${doing} ${file}: ${detail}`)
    }
  }
}

/** A file's bytes and what a replacement must keep of it, as read; a missing file has no bytes. */
export interface RawFile {
  bytes: Buffer
  exists: boolean
  /** Which inode was read, and when it last changed (undefined when missing, or not a regular file). */
  id?: {dev: number; ino: number; mtimeMs: number; size: number}
  /** Permission bits, if it existed. */
  mode?: number
  /** Owner, if it existed (kept on replace). */
  owner?: {gid: number; uid: number}
  path: string
}

/** Reads what `open` opens; a missing file reads as empty, and anything but a regular file is refused. */
function readOpened(open: () => number, file: string, what: string): RawFile {
  try {
    const fd = open()
    try {
      const stat = fsSync.fstatSync(fd)
      if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), {code: 'EISDIR'})
      // /dev/null (AWS_CONFIG_FILE=/dev/null is a common way to say "no config") reads as empty.
      if (!stat.isFile() && !(stat.isCharacterDevice() && stat.rdev === fsSync.statSync('/dev/null').rdev)) {
        throw Object.assign(new Error('not a regular file'), {code: 'ENOTREG'})
      }

      return {
        bytes: fsSync.readFileSync(fd),
        exists: true,
        // Only a regular file can be half-written by another program (not /dev/null, say).
        id: stat.isFile()
          ? {
            dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, size: stat.size,
          }
          : undefined,
        mode: stat.mode & 0o7777,
        owner: {gid: stat.gid, uid: stat.uid},
        path: file,
      }
    } finally {
      fsSync.closeSync(fd)
    }
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return {bytes: Buffer.alloc(0), exists: false, path: file}
    throw fileError(error, file, `read the ${what}`)
  }
}

// O_NONBLOCK: a named pipe at the path must not hang the open; it is refused once open.
const READ_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK

/** Reads a file's bytes; a missing file reads as empty, and anything but a regular file is refused. */
export function readRawFile(file: string, what: string): RawFile {
  return readOpened(() => fsSync.openSync(file, READ_FLAGS), file, what)
}

/** Reads the file `name` of an anchored directory, refusing a symlink there (see files/anchor.ts). */
export function readRawIn(dir: AnchoredDir, name: string, file: string, what: string): RawFile {
  return readOpened(() => openIn(dir, name, READ_FLAGS), file, what)
}

/** Whether two reads found the very same file: bytes, existence, mode and owner. */
export function sameRawFile(a: RawFile, b: RawFile): boolean {
  return a.exists === b.exists && a.mode === b.mode && a.owner?.uid === b.owner?.uid && a.owner?.gid === b.owner?.gid && a.bytes.equals(b.bytes)
}

/**
 * A file to be replaced, opened for the job: its directory anchored (files/anchor.ts), symlinks
 * on the way followed once (and, run as root, their owners checked), and who owns what is made.
 * Every step of a write (read, temp file, rename, clean-up) goes through it: no second look-up.
 */
export class FileTarget {
  private constructor(
    /** The path as configured, for messages. */
    readonly file: string,
    readonly dir: AnchoredDir,
    /** The real file's name in dir. */
    readonly name: string,
    /** Who owns what is created: the file's owner, else its directory's. */
    readonly owner: Owner,
  ) {}

  /** The target, or undefined when its directory does not exist (and `create` is false). */
  static lookup(file: string, what: string, create: boolean, doing: string): FileTarget | undefined {
    try {
      const resolved = resolveReal(file)
      const owner = ownerFor(resolved.real)
      checkLinkOwners(resolved, owner.uid)
      const dir = anchorDir(path.dirname(resolved.real), {create, owner})
      return dir && new FileTarget(file, dir, path.basename(resolved.real), owner)
    } catch (error) {
      throw fileError(error, file, `${doing} the ${what}`)
    }
  }

  /** Opens `file` for replacing; its directory is made (0700, owned as the file would be) when `create`. */
  static open(file: string, what: string, create = false): FileTarget {
    const target = FileTarget.lookup(file, what, create, 'write')
    if (!target) throw fileError(Object.assign(new Error('no such directory'), {code: 'ENOENT'}), file, `write the ${what}`)
    return target
  }

  /** Reads `file` the same way (links resolved once and checked; never through a link swapped in later); missing reads as empty. */
  static read(file: string, what: string): RawFile {
    const target = FileTarget.lookup(file, what, false, 'read')
    if (!target) return {bytes: Buffer.alloc(0), exists: false, path: file}
    try {
      return target.read(what)
    } finally {
      target.close()
    }
  }

  get realPath(): string {
    return path.join(this.dir.realPath, this.name)
  }

  close(): void {
    this.dir.close()
  }

  read(what: string): RawFile {
    return readRawIn(this.dir, this.name, this.file, what)
  }
}

/** Whether the permission bits of `stat` let uid/gid do `bit` (4 read, 2 write, 1 search), root included. */
function modeAllows(stat: fsSync.Stats, uid: number, gids: readonly number[], bit: number): boolean {
  if (stat.uid === uid) return (stat.mode & (bit << 6)) !== 0
  if (gids.includes(stat.gid)) return (stat.mode & (bit << 3)) !== 0
  return (stat.mode & bit) !== 0
}

/**
 * A file whose mode has no write bit for its owner was made read-only on purpose: that is taken
 * as "do not touch", by root too (for whom access(2) would say yes).
 */
export function checkNotReadOnly(raw: RawFile): void {
  if (raw.exists && raw.mode !== undefined && (raw.mode & 0o200) === 0) {
    throw new ConfigError(
      `${raw.path} is read-only (mode ${(raw.mode & 0o777).toString(8).padStart(4, '0')}): mfa-creds takes that as "do not change it"`,
      `make it writable (chmod u+w ${raw.path}) if mfa-creds should write to it; nothing was changed`,
    )
  }
}

/**
 * Whether `file` can be replaced: its directory takes a new file, and the file itself (when it
 * exists) is not read-only. Run as root on someone else's file, the owner's permissions are what
 * count, not root's: root writes where the owner could.
 */
export async function checkWritable(file: string): Promise<void> {
  const target = FileTarget.lookup(file, 'file', false, 'write')
  // No directory yet: nothing here can say no (the write itself reports what it meets).
  if (!target) return
  try {
    const raw = target.read('file')
    const {owner, realPath} = target
    if (runningAsRoot()) {
      checkNotReadOnly({...raw, path: realPath})
      if (owner.uid !== 0 && !modeAllows(fsSync.fstatSync(target.dir.fd), owner.uid, [owner.gid], 2)) {
        throw new ConfigError(`cannot write ${target.dir.realPath}: its mode does not let its owner's user (uid ${owner.uid}) write there`, `check the owner and mode of ${target.dir.realPath}; nothing was changed`)
      }

      return
    }

    for (const at of [target.dir.realPath, realPath]) {
      try {
        fsSync.accessSync(at, fsConstants.W_OK)
      } catch (error) {
        if (errnoCode(error) === 'ENOENT') continue
        throw fileError(error, at, 'write')
      }
    }

    checkNotReadOnly({...raw, path: realPath})
  } finally {
    target.close()
  }
}
