/**
 * What a command's work needs from whoever runs it, and how its failures look, free of oclif: the
 * oclif commands (BaseCommand) and the fast entry (src/fast) run the same actions
 * (src/cli/actions) through this, so that both answer with the same output, exit codes and --json.
 */
import {AbortedError, ExitCode, MfaCredsError} from '../core/errors.js'

export interface JsonError {
  error: {exitCode: number; hint?: string; kind: string; message: string; name: string}
}

/** Ends the command with `code` now (it throws: nothing after it runs). */
export type Exit = (code: number) => never

export interface CommandIo {
  /** The program's name, for messages (`mfa-creds`). */
  readonly bin: string
  readonly exit: Exit
  /** A result line on stdout (nothing with --json, whose output is the returned value). */
  log(line: string): void
  /** A progress or warning line on stderr (kept off stdout, which carries results and JSON). */
  note(line: string): void
}

/**
 * Ends a command that ran another program (`lock --`, `exec`) as that program ended: its status,
 * and why it could not run when it could not (127, 126).
 */
export function endAsCommand(io: CommandIo, result: {exitCode: number; problem?: string}): void {
  if (result.problem) io.note(`${io.bin}: ${result.problem}`)
  if (result.exitCode !== 0) io.exit(result.exitCode)
}

/** What a shell reports for a program a signal ended: 128 + the signal's number. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = {SIGINT: 130, SIGTERM: 143}

/**
 * Any failure as the JSON error object (also what the text line is made of): our typed errors as
 * they are, `usage` (a parser's error with its exit code) as a usage error, anything else an
 * internal error, which is a bug.
 */
export function failureJson(error: Error, usage?: {exitCode: number; message: string}): JsonError {
  if (error instanceof MfaCredsError) return {error: error.toJSON()}
  if (usage) return {
    error: {
      exitCode: usage.exitCode, kind: 'USAGE', message: usage.message, name: 'UsageError',
    },
  }
  return {
    error: {
      exitCode: ExitCode.internal,
      hint: 'this is a bug in mfa-creds; run again with DEBUG=* for details, and report it',
      kind: 'INTERNAL',
      message: `internal error: ${error.message}`,
      name: 'InternalError',
    },
  }
}

/** The text form of a failure on stderr: one line, and the hint indented under it. */
export function failureText(bin: string, json: JsonError): string {
  const {hint, message} = json.error
  return `${bin}: ${message}\n${hint ? `  ${hint}\n` : ''}`
}

/** What oclif's logJson prints without a theme: the value, pretty, with two spaces. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

/**
 * Runs `work` with a shutdown signal that SIGINT and SIGTERM abort, for a command that may ask
 * for a code: the prompt closes (its window's process group is ended), waits are abandoned, a
 * write under way completes; then the command exits quietly with 130 (SIGINT) or 143 (SIGTERM),
 * as a shell reports a program a signal ended. The handlers are there only while `work` runs.
 * `signalStatus: false` (watch, for which stopping is the normal end): the result of `work`, exit 0.
 */
export async function withShutdown<T>(exit: Exit, work: (signal: AbortSignal) => Promise<T>, {signalStatus = true} = {}): Promise<T> {
  const stop = new AbortController()
  let received: NodeJS.Signals | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal
    stop.abort()
  }

  process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
  let result: T
  try {
    result = await work(stop.signal)
  } catch (error) {
    if (received && (error instanceof AbortedError || (error as Error).name === 'AbortedError')) exit(signalStatus ? SIGNAL_EXIT[received]! : ExitCode.ok)
    throw error
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
  }

  // Stopped after all that could be abandoned was (a write completes): still the signal's status.
  if (received && signalStatus) exit(SIGNAL_EXIT[received]!)
  return result
}
