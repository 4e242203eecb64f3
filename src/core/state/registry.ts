/**
 * Running watchers register themselves beside the credentials file: `.mfa-creds/watch-PID.json`,
 * holding an flock on it for as long as they live. A reader that can take that flock knows the
 * watcher is gone (the kernel dropped its lock), however it died; no bare pid file to trust.
 */
import fsSync, {constants as fsConstants} from 'node:fs'
import path from 'node:path'

import {errnoCode} from '../errors.js'
import {AnchoredDir, createNew, openIn} from '../files/anchor.js'
import {flockOnce, openStateDir, ownerOfPlace} from '../files/lock.js'

/** Where a watcher started with --serve answers (its credentials endpoint), and the token it asks for each target's session. */
export interface ServedEndpoint {
  origin: string
  /** Target -> its token. Secrets, as the credentials file's keys are: kept here (mode 0600 in a 0700 dir), never shown by status. */
  tokens: Record<string, string>
}

export interface WatcherRecord {
  credentialsFile: string
  endpoint?: ServedEndpoint
  pid: number
  startedAt: string
  targets: Array<{profile: string; target: string}>
}

export interface Registration {
  path: string
  release(): Promise<void>
  update(targets: WatcherRecord['targets'], endpoint?: ServedEndpoint): Promise<void>
}

export async function registerWatcher(credentialsFile: string, targets: WatcherRecord['targets'], endpoint?: ServedEndpoint): Promise<Registration> {
  const dir = openStateDir(credentialsFile, true)!
  const name = `watch-${process.pid}.json`
  // Locked under a name readers ignore, then renamed into place: a reader never sees it unlocked.
  // Made new (O_EXCL, never through a symlink); one left by a dead process of our pid goes first.
  const temp = `${name}.new`
  let fd: number
  try {
    fd = createNew(dir, temp, ownerOfPlace(credentialsFile))
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error
    fsSync.unlinkSync(dir.entry(temp))
    fd = createNew(dir, temp, ownerOfPlace(credentialsFile))
  }

  if (!(await flockOnce(fd, 'exnb'))) {
    fsSync.closeSync(fd)
    dir.close()
    throw new Error(`${temp} is locked by another process`)
  }

  const startedAt = new Date().toISOString()
  const write = async (list: WatcherRecord['targets'], served = endpoint) => {
    const record: WatcherRecord = {
      credentialsFile: path.resolve(credentialsFile), endpoint: served, pid: process.pid, startedAt, targets: list,
    }
    fsSync.ftruncateSync(fd, 0)
    fsSync.writeSync(fd, `${JSON.stringify(record)}\n`, 0)
  }

  await write(targets)
  fsSync.renameSync(dir.entry(temp), dir.entry(name))
  return {
    path: path.join(dir.realPath, name),
    async release() {
      try {
        fsSync.unlinkSync(dir.entry(name))
      } catch {}

      fsSync.closeSync(fd)
      dir.close()
    },
    update: write,
  }
}

/**
 * The live watchers of this credentials file (not of another one in the same directory, whose
 * watchers register beside it too); records of dead ones are removed on the way.
 */
export async function listWatchers(credentialsFile: string): Promise<WatcherRecord[]> {
  let dir: AnchoredDir | undefined
  let entries: string[]
  try {
    dir = openStateDir(credentialsFile, false)
    entries = dir?.list() ?? []
  } catch {
    dir?.close()
    return []
  }

  const live: WatcherRecord[] = []
  try {
    for (const entry of entries.filter(e => /^watch-\d+\.json$/.test(e)).sort()) {
      let fd: number
      try {
        fd = openIn(dir!, entry, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
      } catch {
        continue
      }

      try {
        if (await flockOnce(fd, 'exnb')) {
          await flockOnce(fd, 'un')
          fsSync.unlinkSync(dir!.entry(entry))
          continue
        }

        const record = JSON.parse(fsSync.readFileSync(fd, 'utf8')) as WatcherRecord
        if (record.credentialsFile === path.resolve(credentialsFile)) live.push(record)
      } catch {
        // A record being written right now: it will be readable next time.
      } finally {
        fsSync.closeSync(fd)
      }
    }
  } finally {
    dir?.close()
  }

  return live
}
