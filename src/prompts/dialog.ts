/**
 * What every built-in prompt that opens a window shares (ssh-askpass, zenity, kdialog, osascript):
 * the program runs with the prompt in its argv (never the code), stdin closed, in a process group
 * of its own, so that --prompt-timeout, a shutdown or our own exit end the window and whatever it
 * started; the code is what it prints (trimmed, and checked for six digits, by the refresher); a
 * non-zero exit is a cancel, with the first line of its stderr saying why ("cannot open display").
 */
import type {PromptProviderSpec} from '@mfa-creds/sdk'

import {runInOwnGroup, unknownOptions} from '@mfa-creds/sdk'

import {
  AbortedError, errnoCode, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'
import {PromptRequest} from '../core/refresh/ports.js'

const SAID_MAX = 200

/** The title of the windows mfa-creds opens itself (zenity, kdialog, osascript). */
export const DIALOG_TITLE = 'mfa-creds'

/** The prompt text every window shows, as the seed wrote it (exported: a plugin may ask in the same words). */
export function promptText(request: Pick<PromptRequest, 'profile' | 'serial'>): string {
  return `Enter MFA token for ${request.profile} from device ${request.serial}`
}

export interface DialogRun {
  args: string[]
  env: NodeJS.ProcessEnv
  /** What to do when it is not installed: said with the error. */
  installHint: string
  /** A name looked up on PATH, or a path. */
  program: string
  /** Lines of its stderr that never say why it ended (what a toolkit warns about on every run). */
  quiet?: RegExp | undefined
}

/**
 * The first non-blank line of what the program said on stderr ("Can't open display"), without
 * control characters, trimmed and shortened: it goes into our one-line error message.
 */
function firstLine(stderr: string, quiet?: RegExp): string {
  const line = stderr.split(/\r?\n/).map(l => l.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, ' ').trim()).find(l => l && !quiet?.test(l)) ?? ''
  return line.length > SAID_MAX ? `${line.slice(0, SAID_MAX).trimEnd()}…` : line
}

/** Runs the window and returns what it printed; every other outcome is the typed error it means. */
export async function askInDialog(run: DialogRun, request: PromptRequest): Promise<string> {
  const {
    args, env, installHint, program, quiet,
  } = run
  const outcome = await runInOwnGroup(program, args, {env, signal: request.signal, timeoutMs: request.timeoutMs})
  switch (outcome.type) {
    case 'aborted': {
      throw new AbortedError()
    }

    case 'timed-out': {
      throw new PromptTimedOutError(`no MFA code was entered within ${Math.round(request.timeoutMs / 1000)} s`, 'run the command again when you are at the screen')
    }

    case 'spawn-failed': {
      const code = errnoCode(outcome.error)
      if (code === 'ENOENT' || code === 'EACCES') throw new PromptUnavailableError(`cannot run ${program} to ask for the MFA code (${code})`, installHint)
      throw new PromptUnavailableError(`cannot run ${program}: ${outcome.error.message}`)
    }

    case 'exited': {
      if (outcome.code === 0) return outcome.stdout
      const how = outcome.signal ? `ended by ${outcome.signal}` : `exited ${outcome.code}`
      const said = firstLine(outcome.stderr, quiet)
      throw new PromptCancelledError(`the MFA prompt was cancelled (${program} ${how}${said ? `: ${said}` : ''})`, 'run the command again to be asked again')
    }
  }
}

/** A built-in prompt that is a program opening a window: what to run, and how it is described. */
export interface WindowSpec {
  /** Its arguments around the prompt text (never the code). */
  args: (text: string) => string[]
  description: string
  installHint: string
  name: string
  /** It opens an X11 or Wayland window: without DISPLAY or WAYLAND_DISPLAY it is not run (it would only fail). */
  needsDisplay?: boolean
  /** A name looked up on PATH, or a path; from the environment it runs in (SSH_ASKPASS). */
  program: (env: NodeJS.ProcessEnv) => string
  quiet?: RegExp
}

/**
 * The provider spec of a window (announced by its hook, as plugins write theirs), run with `env`:
 * by default the environment as it is when it asks.
 */
export function windowPrompt(window: WindowSpec, env?: NodeJS.ProcessEnv): PromptProviderSpec {
  return {
    ask(request) {
      const runEnv = env ?? process.env
      if (window.needsDisplay && !runEnv.DISPLAY && !runEnv.WAYLAND_DISPLAY) {
        return Promise.reject(new PromptUnavailableError(
          `${window.name} cannot ask for the MFA code: there is no display (DISPLAY or WAYLAND_DISPLAY is not set)`,
          'run it in your desktop session, or choose another way with --prompt (tty in a terminal, stdin for scripts)',
        ))
      }

      return askInDialog({
        args: window.args(promptText(request)), env: runEnv, installHint: window.installHint, program: window.program(runEnv), quiet: window.quiet,
      }, request)
    },
    description: window.description,
    name: window.name,
    validateOptions: options => unknownOptions(options, []),
  }
}
