/**
 * What every mfa-creds command shares: typed errors become one clear line (and a hint) on
 * stderr, or a JSON error object with --json, and the process exits with the error's own code.
 * No stack trace unless DEBUG is set, and no secret in any of it (core errors carry none).
 */
import {Command, Errors} from '@oclif/core'

import {AbortedError, ExitCode, MfaCredsError} from '../core/errors.js'

/** What a shell reports for a program a signal ended: 128 + the signal's number. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = {SIGINT: 130, SIGTERM: 143}

export interface JsonError {
  error: {exitCode: number; hint?: string; kind: string; message: string; name: string}
}

export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    let json: JsonError
    if (error instanceof MfaCredsError) {
      json = {error: error.toJSON()}
    } else if (error instanceof Errors.CLIError && error.oclif?.exit !== undefined && error.oclif.exit !== ExitCode.internal) {
      // oclif's own usage errors (unknown flag, bad value): exit 2, its message as it is.
      json = {
        error: {
          exitCode: error.oclif.exit, kind: 'USAGE', message: error.message, name: 'UsageError',
        },
      }
    } else {
      json = {
        error: {
          exitCode: ExitCode.internal,
          hint: 'this is a bug in mfa-creds; run again with DEBUG=* for details, and report it',
          kind: 'INTERNAL',
          message: `internal error: ${error.message}`,
          name: 'InternalError',
        },
      }
    }

    if (this.jsonEnabled()) {
      this.logJson(json)
    } else {
      const {hint, message} = json.error
      process.stderr.write(`${this.config.bin}: ${message}\n${hint ? `  ${hint}\n` : ''}`)
      if (process.env.DEBUG && error.stack) process.stderr.write(`${error.stack}\n`)
    }

    return this.exit(json.error.exitCode)
  }

  /** A progress or warning line on stderr (kept off stdout, which carries results and JSON). */
  protected note(line: string): void {
    process.stderr.write(`${line}\n`)
  }

  /**
   * Runs `work` with a shutdown signal that SIGINT and SIGTERM abort, for a command that may ask
   * for a code: the prompt closes (its window's process group is ended), waits are abandoned, a
   * write under way completes; then the command exits quietly with 130 (SIGINT) or 143 (SIGTERM),
   * as a shell reports a program a signal ended. The handlers are there only while `work` runs.
   * `signalStatus: false` (watch, for which stopping is the normal end): the result of `work`, exit 0.
   */
  protected async withShutdown<T>(work: (signal: AbortSignal) => Promise<T>, {signalStatus = true} = {}): Promise<T> {
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
      if (received && (error instanceof AbortedError || (error as Error).name === 'AbortedError')) this.exit(signalStatus ? SIGNAL_EXIT[received] : ExitCode.ok)
      throw error
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
    }

    // Stopped after all that could be abandoned was (a write completes): still the signal's status.
    if (received && signalStatus) this.exit(SIGNAL_EXIT[received])
    return result
  }
}
