/**
 * Running another program as a shell would, for `lock -- COMMAND` and `exec -- COMMAND`: the same
 * input and output, its exit status passed back (128+N for a signal N, 127 not found, 126 cannot
 * be run), and signals passed on.
 *
 * Signals reach COMMAND once:
 * - In the foreground of a terminal, COMMAND shares our process group (it has the terminal with
 *   us). SIGINT, SIGQUIT (typed) and SIGHUP (the terminal closing) reach it from the terminal
 *   directly: we survive them and do not send them again. SIGTERM is passed on.
 * - Anywhere else (no terminal, a background job, under timeout(1) or a script), COMMAND gets a
 *   session of its own, so that a signal sent to our whole process group (`timeout`, `kill --
 *   -PGID`) does not reach it twice: SIGTERM, SIGHUP, SIGINT and SIGQUIT are all passed on.
 * Foreground is told by whether our process group is the terminal's foreground group (Linux:
 * /proc/self/stat); where that cannot be read, COMMAND shares our group and all are passed on.
 */
import {spawn} from 'node:child_process'
import {
  accessSync, constants, readFileSync, statSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {errnoCode} from '../errors.js'

export interface CommandResult {
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
function notRun(program: string, error: unknown): CommandResult {
  const code = errnoCode(error)
  if (code === 'ENOENT') return {exitCode: 127, problem: `${program}: command not found`}
  return {exitCode: 126, problem: `${program}: cannot run it (${code ?? (error instanceof Error ? error.message : String(error))})`}
}

/**
 * Runs COMMAND with our input and output, passing signals on (above), and says how it ended.
 * `env`: its environment (default: ours).
 */
export function runCommand(command: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult> {
  const foreground = inForeground()
  // In the foreground, COMMAND has the terminal with us; else it has a session of its own.
  const shared = foreground !== false
  return new Promise(resolve => {
    const [program, ...args] = command
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(program, args, {detached: !shared, env, stdio: 'inherit'})
    } catch (error) {
      // Some failures (ELOOP, ENAMETOOLONG) are thrown at once instead of emitted.
      resolve(notRun(program, error))
      return
    }

    const forward = (signal: NodeJS.Signals) => () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    }

    const fromTerminalOrForward = (signal: NodeJS.Signals) => () => {
      // From the terminal, to our group: COMMAND got it too. Sent to us alone: pass it on.
      if (!shared || inForeground() !== true) forward(signal)()
    }

    const handlers: Array<[NodeJS.Signals, () => void]> = [
      ['SIGTERM', forward('SIGTERM')],
      ['SIGHUP', fromTerminalOrForward('SIGHUP')],
      ['SIGINT', fromTerminalOrForward('SIGINT')],
      ['SIGQUIT', fromTerminalOrForward('SIGQUIT')],
    ]
    for (const [signal, handler] of handlers) process.on(signal, handler)
    const done = (result: CommandResult) => {
      for (const [signal, handler] of handlers) process.off(signal, handler)
      resolve(result)
    }

    child.on('error', error => done(notRun(program, error)))
    child.on('exit', (code, signal) => {
      done({exitCode: signal ? 128 + signalNumber(signal) : (code ?? 1)})
    })
  })
}

/** Where a program is looked for when there is no PATH at all: what libuv (and glibc's execvp) use. */
export const DEFAULT_PATH = '/usr/bin:/bin'

function runnable(file: string): CommandResult | undefined {
  try {
    if (statSync(file).isDirectory()) return {exitCode: 126, problem: `${file}: cannot run it (a directory)`}
    accessSync(file, constants.X_OK)
    return undefined
  } catch (error) {
    return notRun(file, error)
  }
}

/**
 * Why `program` could not be run, found as execvp finds it (a name with a slash as it is, else
 * on PATH), before anything else is done; undefined: it can be.
 */
export function findProgram(program: string, searchPath = ''): CommandResult | undefined {
  if (program.includes('/')) return runnable(program)
  let found: CommandResult | undefined
  for (const dir of searchPath.split(path.delimiter)) {
    const file = path.join(dir || '.', program)
    let isFile = false
    try {
      isFile = statSync(file).isFile()
    } catch {}

    if (!isFile) continue
    // execvp goes on past a file it may not run, and reports it only when nothing else is found.
    if (!runnable(file)) return undefined
    found ??= {exitCode: 126, problem: `${program}: cannot run it (not executable)`}
  }

  return found ?? {exitCode: 127, problem: `${program}: command not found`}
}
