/**
 * Running watchers register themselves beside the credentials file: `.mfa-creds/watch-PID.json`,
 * holding an flock on it for as long as they live. A reader that can take that flock knows the
 * watcher is gone (the kernel dropped its lock), however it died; no bare pid file to trust.
 */
import {promises as fs, constants as fsConstants} from 'node:fs'
import path from 'node:path'

import {flockOnce, stateDir} from './lock.js'

export interface WatcherRecord {
  credentialsFile: string
  pid: number
  startedAt: string
  targets: Array<{profile: string; target: string}>
}

export interface Registration {
  path: string
  release(): Promise<void>
  update(targets: WatcherRecord['targets']): Promise<void>
}

export async function registerWatcher(credentialsFile: string, targets: WatcherRecord['targets']): Promise<Registration> {
  const dir = stateDir(credentialsFile)
  await fs.mkdir(dir, {mode: 0o700, recursive: true})
  const file = path.join(dir, `watch-${process.pid}.json`)
  // Locked under a name readers ignore, then renamed into place: a reader never sees it unlocked.
  const temp = `${file}.new`
  const handle = await fs.open(temp, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_TRUNC, 0o600)
  if (!(await flockOnce(handle.fd, 'exnb'))) {
    await handle.close()
    throw new Error(`${temp} is locked by another process`)
  }

  const startedAt = new Date().toISOString()
  const write = async (list: WatcherRecord['targets']) => {
    const record: WatcherRecord = {
      credentialsFile: path.resolve(credentialsFile), pid: process.pid, startedAt, targets: list,
    }
    await handle.truncate(0)
    await handle.write(`${JSON.stringify(record)}\n`, 0)
  }

  await write(targets)
  await fs.rename(temp, file)
  return {
    path: file,
    async release() {
      await fs.rm(file, {force: true})
      await handle.close()
    },
    update: write,
  }
}

/** The live watchers of this credentials file; records of dead ones are removed on the way. */
export async function listWatchers(credentialsFile: string): Promise<WatcherRecord[]> {
  const dir = stateDir(credentialsFile)
  let entries: string[]
  try {
    entries = await fs.readdir(dir)
  } catch {
    return []
  }

  const live: WatcherRecord[] = []
  for (const entry of entries.filter(e => /^watch-\d+\.json$/.test(e)).sort()) {
    const file = path.join(dir, entry)
    let handle: fs.FileHandle
    try {
      handle = await fs.open(file, fsConstants.O_RDONLY)
    } catch {
      continue
    }

    try {
      if (await flockOnce(handle.fd, 'exnb')) {
        await flockOnce(handle.fd, 'un')
        await fs.rm(file, {force: true})
        continue
      }

      live.push(JSON.parse(await handle.readFile('utf8')) as WatcherRecord)
    } catch {
      // A record being written right now: it will be readable next time.
    } finally {
      await handle.close()
    }
  }

  return live
}
