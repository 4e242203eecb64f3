/**
 * Waiting out a writer that ignores the lock and rewrites the credentials file in place (the AWS
 * CLI's `aws configure set`, editors, scripts: open with O_TRUNC, then write). While it writes,
 * the file is empty or a prefix of what it will be; a copy of that, renamed over the path, would
 * be the file from then on, and the rest of that writer's bytes would land on the old inode,
 * which nobody reads any more.
 *
 * The rule (DESIGN.md, "Protocol"): a file read under the lock is used only when it holds every
 * section and key that the earlier reads saw (the target aside), parses, and has the source
 * profile's keys. When it does not, it is read again until it does, or until it has settled:
 * no process has it open for writing (Linux: /proc/PID/fd and fdinfo, for every process we may
 * look at) and it has not changed for a while. A settled file without the source profile's keys
 * is refused; any other loss is then taken as its owner's will. A writer that is slow, however
 * slow, still holds the file open, so its half-written state is never taken as settled; where
 * /proc cannot tell (other systems, or another user's process we may not look at), the file must
 * stay unchanged for SETTLE_BLIND_MS. A file cut in the middle of a line never settles: it is a
 * writer's unfinished state, whoever wrote it, and is waited out until the deadline.
 */
import fs from 'node:fs'

import {sleep} from '../time.js'

/** How long a file must stay unchanged, with nobody holding it open for writing, to count as settled. */
export const SETTLE_MS = 500
/** The same where /proc cannot show who has the file open. */
export const SETTLE_BLIND_MS = 3000

export interface WriterProcess {
  command?: string
  pid: number
}

/**
 * The other processes that have the file (dev, ino) open for writing; undefined where /proc
 * cannot tell: it cannot be read, or some process's descriptors may not be looked at (another
 * user's, or hidepid), which could be the writer.
 */
export function openForWriting(dev: number, ino: number): undefined | WriterProcess[] {
  let pids: string[]
  try {
    pids = fs.readdirSync('/proc').filter(name => /^\d+$/.test(name) && Number(name) !== process.pid)
  } catch {
    return undefined
  }

  const found: WriterProcess[] = []
  let blind = false
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`)
    } catch (error) {
      // Gone meanwhile (ENOENT) tells nothing; not allowed to look (EACCES) means we cannot tell.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') blind = true
      continue
    }

    for (const fd of fds) {
      try {
        const stat = fs.statSync(`/proc/${pid}/fd/${fd}`)
        if (stat.ino !== ino || stat.dev !== dev) continue
        const flags = /^flags:\s+([0-7]+)/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))
        // O_ACCMODE: 1 is O_WRONLY, 2 is O_RDWR.
        if (!flags || (Number.parseInt(flags[1], 8) & 3) === 0) continue
        let command: string | undefined
        try {
          command = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
        } catch {}

        found.push({command, pid: Number(pid)})
        break
      } catch {
        // The fd closed, or the process exited, while we looked.
      }
    }
  }

  return blind && found.length === 0 ? undefined : found
}

/** What one read found: the file's identity and bytes, and whether it is whole enough to use. */
export interface Observation<T> {
  /** Undefined when the file does not exist. */
  id?: {dev: number; ino: number; mtimeMs: number; size: number}
  key: string
  /** Undefined: whole, use it. Else what is missing, for a message. */
  problem?: string
  /** False: this problem is never taken as the owner's will, however long it stays (a cut line). */
  settles?: boolean
  value: T
}

export interface SettleOptions {
  /** Stop waiting when this moment (performance.now()) passes. */
  deadline: number
  now?: () => number
  signal?: AbortSignal
}

export type SettleOutcome<T> =
  | {observation: Observation<T>; settled: boolean; type: 'done'}
  | {observation: Observation<T>; type: 'timeout'; writers: WriterProcess[]}

/**
 * Reads (`read`) until an observation has no problem, or has stayed the same while no process
 * holds the file open for writing for the settle time ('done' with settled: true), or until the
 * deadline ('timeout', with the writers last seen).
 */
export async function readUntilWhole<T>(read: () => Observation<T>, options: SettleOptions): Promise<SettleOutcome<T>> {
  const now = options.now ?? (() => performance.now())
  let observation = read()
  if (!observation.problem) return {observation, settled: false, type: 'done'}
  let stableSince = now()
  let pause = 5
  let writers: WriterProcess[] = []
  for (;;) {
    const {id} = observation
    const seen = id ? openForWriting(id.dev, id.ino) : []
    writers = seen ?? []
    const settleMs = seen === undefined ? SETTLE_BLIND_MS : SETTLE_MS
    if (writers.length === 0 && observation.settles !== false && now() - stableSince >= settleMs) return {observation, settled: true, type: 'done'}
    if (now() >= options.deadline) return {observation, type: 'timeout', writers}
    await sleep(Math.min(pause, Math.max(1, options.deadline - now())), options.signal)
    pause = Math.min(pause * 2, 100)
    const next = read()
    if (!next.problem) return {observation: next, settled: false, type: 'done'}
    if (next.key !== observation.key || writers.length > 0) stableSince = now()
    observation = next
  }
}
