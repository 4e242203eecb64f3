/**
 * `lock -- COMMAND`: run another writer of the credentials file under the protocol lock.
 *
 * The lock is held here, in the parent, for as long as COMMAND runs (fcntl locks are not
 * inherited, and our lock fd is close-on-exec), and released only once COMMAND has exited. If
 * this process is killed, the kernel frees the lock.
 *
 * Signals: SIGTERM and SIGHUP sent to us are passed to COMMAND. SIGINT and SIGQUIT typed at the
 * terminal reach COMMAND directly (same process group): we survive them and do not send them a
 * second time. Sent to us alone, they are passed on. "Typed at the terminal" is told apart by
 * whether our process group is the terminal's foreground group (Linux: /proc/self/stat); where
 * that cannot be read, they are passed on.
 */
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import os from 'node:os'

import {errnoCode} from '../errors.js'
import {LockHolder, withProtocolLock} from './lock.js'

export interface RunLockedOptions {
  onWait?: (holders: LockHolder[]) => void
  timeoutMs?: number
}

export interface RunLockedResult {
  /** What to exit with: COMMAND's status, 128+N for signal N, 127 not found, 126 cannot run. */
  exitCode: number
  /** Why COMMAND did not run (126/127), for a message. */
  problem?: string
}

/** True when our process group is the foreground group of our controlling terminal. */
export function inForeground(): boolean | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
    const pgrp = Number(fields[2])
    const tpgid = Number(fields[5])
    return tpgid > 0 && tpgid === pgrp
  } catch {
    return undefined
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return os.constants.signals[signal] ?? 0
}

/** Why COMMAND could not be started, as a shell says it: 127 not found, 126 anything else (not executable, a symlink loop). */
function notRun(program: string, error: unknown): RunLockedResult {
  const code = errnoCode(error)
  if (code === 'ENOENT') return {exitCode: 127, problem: `${program}: command not found`}
  return {exitCode: 126, problem: `${program}: cannot run it (${code ?? (error instanceof Error ? error.message : String(error))})`}
}

export function runCommand(command: string[]): Promise<RunLockedResult> {
  return new Promise(resolve => {
    const [program, ...args] = command
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(program, args, {stdio: 'inherit'})
    } catch (error) {
      // Some failures (ELOOP, ENAMETOOLONG) are thrown at once instead of emitted.
      resolve(notRun(program, error))
      return
    }

    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    }

    const fromTerminalOrForward = (signal: NodeJS.Signals) => () => {
      // Typed at the terminal: COMMAND got it too. Sent to us alone: pass it on.
      if (inForeground() !== true) forward(signal)()
    }

    const handlers: Array<[NodeJS.Signals, () => void]> = [
      ['SIGTERM', forward('SIGTERM')],
      ['SIGHUP', forward('SIGHUP')],
      ['SIGINT', fromTerminalOrForward('SIGINT')],
      ['SIGQUIT', fromTerminalOrForward('SIGQUIT')],
    ]
    for (const [signal, handler] of handlers) process.on(signal, handler)
    const done = (result: RunLockedResult) => {
      for (const [signal, handler] of handlers) process.off(signal, handler)
      resolve(result)
    }

    child.on('error', error => done(notRun(program, error)))
    child.on('exit', (code, signal) => {
      done({exitCode: signal ? 128 + signalNumber(signal) : (code ?? 1)})
    })
  })
}

/** Runs COMMAND while holding the protocol lock of this credentials file. */
export function runLocked(credentialsFile: string, command: string[], options: RunLockedOptions): Promise<RunLockedResult> {
  return withProtocolLock(credentialsFile, {onWait: options.onWait, timeoutMs: options.timeoutMs}, () => runCommand(command))
}
