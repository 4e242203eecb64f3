/**
 * What every mfa-creds command shares: typed errors become one clear line (and a hint) on
 * stderr, or a JSON error object with --json, and the process exits with the error's own code.
 * No stack trace unless DEBUG is set, and no secret in any of it (core errors carry none).
 * The forms are command-io.ts's, which the fast entry (src/fast) uses too.
 */
import {Command, Errors} from '@oclif/core'

import {ExitCode} from '../core/errors.js'
import {
  CommandIo, failureJson, failureText, withShutdown,
} from './command-io.js'

export type {JsonError} from './command-io.js'

export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    // oclif's own usage errors (unknown flag, bad value): exit 2, its message as it is.
    const usage = error instanceof Errors.CLIError && error.oclif?.exit !== undefined && error.oclif.exit !== ExitCode.internal
      ? {exitCode: error.oclif.exit, message: error.message}
      : undefined
    const json = failureJson(error, usage)
    if (this.jsonEnabled()) {
      this.logJson(json)
    } else {
      process.stderr.write(failureText(this.config.bin, json))
      if (process.env.DEBUG && error.stack) process.stderr.write(`${error.stack}\n`)
    }

    return this.exit(json.error.exitCode)
  }

  /** What the shared actions (src/cli/actions) need of the command running them. */
  protected io(): CommandIo {
    return {
      bin: this.config.bin,
      exit: code => this.exit(code),
      log: line => this.log(line),
      note: line => this.note(line),
    }
  }

  /** A progress or warning line on stderr (kept off stdout, which carries results and JSON). */
  protected note(line: string): void {
    process.stderr.write(`${line}\n`)
  }

  /** command-io's withShutdown, exiting through oclif. */
  protected async withShutdown<T>(work: (signal: AbortSignal) => Promise<T>, options: {signalStatus?: boolean} = {}): Promise<T> {
    return withShutdown(code => this.exit(code), work, options)
  }
}
