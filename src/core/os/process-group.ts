/**
 * Running a program that asks the user something (an askpass window, a desktop notice) in a
 * process group of its own, so that a timeout, a cancel or our own shutdown ends all of it: the
 * program and whatever it started (a shell script wrapping zenity or kdialog without `exec`).
 *
 * Once the program has exited, or the group has been told to stop, we do not wait on its pipes:
 * a grandchild can hold stdout open for ever. The group is ended (SIGTERM, then SIGKILL after a
 * grace period) and the outcome is settled then. stdin is never a terminal (a detached program is
 * not in the terminal's foreground group), and nothing secret is passed in argv or env by callers.
 */
import {spawn} from 'node:child_process'

export type ProgramOutcome =
  | {code: null | number; signal: NodeJS.Signals | null; stderr: string; stdout: string; type: 'exited'}
  | {error: Error; type: 'spawn-failed'}
  | {type: 'aborted'}
  | {type: 'timed-out'}

export interface GroupOptions {
  env?: NodeJS.ProcessEnv
  /** SIGTERM to SIGKILL, and from the exit of the program to giving up on its pipes. */
  graceMs?: number
  /** At most this much of stdout, and of stderr, is kept. */
  maxOutput?: number
  /** Our own shutdown: end the group and settle as 'aborted'. */
  signal?: AbortSignal
  /** End the group and settle as 'timed-out' after this long. */
  timeoutMs?: number
  /**
   * Fire and forget (a notice): the program does not keep our process alive, and is left to end
   * by itself when we exit normally; timeout and signal still end its group while we run.
   */
  unref?: boolean
}

const GRACE_MS = 2000

/** Runs `program args` in a new process group; resolves (never rejects) with what became of it. */
export function runInOwnGroup(program: string, args: string[], options: GroupOptions = {}): Promise<ProgramOutcome> {
  if (options.signal?.aborted) return Promise.resolve({type: 'aborted'})
  const grace = options.graceMs ?? GRACE_MS
  const maxOutput = options.maxOutput ?? 4096
  return new Promise(resolve => {
    const child = spawn(program, args, {detached: true, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let stopped: 'aborted' | 'timed-out' | undefined
    let exited: undefined | {code: null | number; signal: NodeJS.Signals | null}
    let settled = false
    let groupGone = false
    const timers: NodeJS.Timeout[] = []
    const later = (ms: number, fn: () => void) => {
      const timer = setTimeout(fn, ms)
      if (options.unref) timer.unref()
      timers.push(timer)
    }

    const signalGroup = (sig: NodeJS.Signals) => {
      if (groupGone || child.pid === undefined) return
      try {
        process.kill(-child.pid, sig)
      } catch {
        // ESRCH: nobody of the group is left.
        groupGone = true
      }
    }

    // Our process may end before the group does (an uncaught error, process.exit): take it along.
    const onProcessExit = () => signalGroup('SIGKILL')
    const onAbort = () => stop('aborted')

    const settle = (outcome: ProgramOutcome) => {
      if (settled) return
      settled = true
      for (const timer of timers) clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      process.off('exit', onProcessExit)
      // Whatever still holds the pipes is not waited for.
      child.stdout!.destroy()
      child.stderr!.destroy()
      resolve(outcome)
    }

    const outcome = (): ProgramOutcome => (stopped
      ? {type: stopped}
      : {
        ...exited!, stderr, stdout, type: 'exited',
      })

    /** The leader is gone or told to go: end the rest of the group, then settle without the pipes. */
    const endGroup = () => {
      signalGroup('SIGTERM')
      later(grace, () => {
        signalGroup('SIGKILL')
        if (exited || stopped) settle(outcome())
      })
    }

    const stop = (why: 'aborted' | 'timed-out') => {
      if (settled || stopped || exited) return
      stopped = why
      endGroup()
    }

    if (options.timeoutMs !== undefined) later(options.timeoutMs, () => stop('timed-out'))
    options.signal?.addEventListener('abort', onAbort, {once: true})
    if (options.unref) {
      child.unref()
      for (const pipe of [child.stdout, child.stderr] as unknown as Array<{unref?: () => void}>) pipe.unref?.()
    } else {
      process.on('exit', onProcessExit)
    }

    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      if (stdout.length < maxOutput) stdout += chunk
    })
    // What it says on stderr is kept for the error message (never secret: the answer is on stdout).
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => {
      if (stderr.length < maxOutput) stderr += chunk
    })
    child.on('error', error => {
      if (child.pid === undefined) settle({error, type: 'spawn-failed'})
    })
    child.on('exit', (code, signal) => {
      exited = {code, signal}
      // What the program started and left behind (a window, a sleep) goes with it.
      if (!stopped) endGroup()
    })
    // Every pipe closed after the exit: all of it was read; nothing to wait for.
    child.on('close', () => {
      if (exited) settle(outcome())
    })
  })
}
