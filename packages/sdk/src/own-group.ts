/**
 * Runs a program that answers for a person (a plugin's tool: sh -c COMMAND, op, ykman; the
 * built-in askpass window; a desktop notice) in a process group of its own, so that a timeout, an
 * abort or our exit ends all of it: the program and whatever it started (a `sleep &`, a script
 * wrapping zenity without `exec`, a helper that keeps stdout open). Once the program has exited,
 * or the group has been told to stop, its pipes are not waited on: a leftover can hold stdout
 * open for ever. stdin is /dev/null (a detached program is not in the terminal's foreground group),
 * or a pipe that carries `input` and is then closed (a secret for the program: never argv or env).
 */
import type {Readable, Writable} from 'node:stream'

import {ChildProcessByStdio, spawn} from 'node:child_process'

export type ProgramOutcome =
  | {code: null | number; signal: NodeJS.Signals | null; stderr: string; stdout: string; type: 'exited'}
  | {error: NodeJS.ErrnoException; type: 'spawn-failed'}
  | {type: 'aborted'}
  | {type: 'timed-out'}

export interface GroupOptions {
  env?: NodeJS.ProcessEnv | undefined
  /** SIGTERM to SIGKILL, and from the exit of the tool to giving up on its pipes (2 s). */
  graceMs?: number | undefined
  /**
   * Written to the program's stdin, which is then closed (`pass insert` reads the entry so):
   * the way to hand a program a secret, never argv or env. Without it stdin is /dev/null.
   */
  input?: string | undefined
  /** At most this much of stdout, and of stderr, is kept (64 KiB). */
  maxOutput?: number | undefined
  /** Sees stderr as it comes (ykman's "touch your key"). */
  onStderr?: ((chunk: string) => void) | undefined
  /** mfa-creds is shutting down (the request's signal): end the group and settle as 'aborted'. */
  signal?: AbortSignal | undefined
  /** End the group and settle as 'timed-out' after this long. */
  timeoutMs?: number | undefined
  /**
   * Fire and forget (a notice): the program does not keep our process alive, and is left to end
   * by itself when we exit normally; timeoutMs and signal still end its group while we run.
   */
  unref?: boolean | undefined
}

const GRACE_MS = 2000

/**
 * Runs `file args` (no shell of ours) with stdin from /dev/null (or `input`); resolves, never
 * rejects, with what became of it. On a timeout or an abort the group gets SIGTERM, then SIGKILL when its
 * leader has gone (or after graceMs): the outcome is settled then, without waiting for pipes that
 * a leftover could hold open. After the leader exits by itself, what it left behind is ended the
 * same way.
 */
export function runInOwnGroup(file: string, args: string[], options: GroupOptions = {}): Promise<ProgramOutcome> {
  const {
    env, graceMs = GRACE_MS, input, maxOutput = 65_536, onStderr, signal, timeoutMs, unref,
  } = options
  if (signal?.aborted) return Promise.resolve({type: 'aborted'})
  return new Promise(resolve => {
    let child: ChildProcessByStdio<null | Writable, Readable, Readable>
    try {
      child = spawn(file, args, {detached: true, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']}) as ChildProcessByStdio<null | Writable, Readable, Readable>
    } catch (error) {
      // Some failures (ELOOP, ENAMETOOLONG) are thrown at once instead of emitted: the same outcome.
      resolve({error: error as NodeJS.ErrnoException, type: 'spawn-failed'})
      return
    }

    // A program that exits without reading all of it (EPIPE): its outcome says what became of it.
    child.stdin?.on('error', () => {})
    child.stdin?.end(input)
    let stdout = ''
    let stderr = ''
    let stopped: 'aborted' | 'timed-out' | undefined
    let exited: undefined | {code: null | number; signal: NodeJS.Signals | null}
    let settled = false
    let groupGone = false
    const timers: NodeJS.Timeout[] = []
    const later = (ms: number, fn: () => void) => {
      const timer = setTimeout(fn, ms)
      if (unref) timer.unref()
      timers.push(timer)
    }

    const signalGroup = (sig: NodeJS.Signals) => {
      // Once nobody of the group is left its id may be reused: it is not signalled again.
      if (groupGone || child.pid === undefined) return
      try {
        process.kill(-child.pid, sig)
      } catch {
        // ESRCH: nobody of the group is left.
        groupGone = true
      }
    }

    // Our process may end before the group does (an uncaught error, process.exit): take it along.
    const onExit = () => signalGroup('SIGKILL')
    const onAbort = () => stop('aborted')

    const settle = (outcome: ProgramOutcome) => {
      if (settled) return
      settled = true
      for (const timer of timers) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      process.off('exit', onExit)
      child.stdin?.destroy()
      child.stdout.destroy()
      child.stderr.destroy()
      resolve(outcome)
    }

    const outcome = (): ProgramOutcome => (stopped
      ? {type: stopped}
      : {
        ...exited!, stderr, stdout, type: 'exited',
      })

    // SIGTERM now; SIGKILL for whatever is left once the grace is over, and the outcome then.
    const endGroup = () => {
      signalGroup('SIGTERM')
      later(graceMs, () => {
        signalGroup('SIGKILL')
        settle(outcome())
      })
    }

    const stop = (why: 'aborted' | 'timed-out') => {
      if (settled || stopped || exited) return
      stopped = why
      endGroup()
    }

    if (timeoutMs !== undefined) later(timeoutMs, () => stop('timed-out'))
    signal?.addEventListener('abort', onAbort, {once: true})
    if (unref) {
      child.unref()
      for (const pipe of [child.stdin, child.stdout, child.stderr] as unknown as Array<null | {unref?: () => void}>) pipe?.unref?.()
    } else {
      process.on('exit', onExit)
    }

    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < maxOutput) stdout += chunk
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < maxOutput) stderr += chunk
      onStderr?.(chunk)
    })
    child.on('error', error => {
      if (child.pid === undefined) settle({error, type: 'spawn-failed'})
    })
    child.on('exit', (code, sig) => {
      exited = {code, signal: sig}
      if (stopped) {
        // The leader went on SIGTERM: the rest of the group goes now, and we are done.
        signalGroup('SIGKILL')
        settle(outcome())
      } else {
        endGroup()
      }
    })
    // Every pipe closed after the exit: all of it was read.
    child.on('close', () => {
      if (exited) {
        signalGroup('SIGKILL')
        settle(outcome())
      }
    })
  })
}
