/**
 * ssh-askpass: runs `$SSH_ASKPASS`, else `ssh-askpass` from PATH, with the prompt as its one
 * argument and stdin closed; reads the code from stdout. A non-zero exit means cancelled (the
 * message adds the first line of its stderr, which says why: "Can't open display"). It runs
 * in a process group of its own: a timeout or our shutdown ends it and whatever it started.
 */
import type {PromptProviderSpec} from '@mfa-creds/sdk'

import {runInOwnGroup, unknownOptions} from '@mfa-creds/sdk'

import {
  AbortedError, errnoCode, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'
import {PromptProvider, PromptRequest} from '../core/refresh/ports.js'

const SAID_MAX = 200

/** The prompt text ssh-askpass shows, as the seed wrote it (exported: a plugin may ask in the same words). */
export function promptText(request: Pick<PromptRequest, 'profile' | 'serial'>): string {
  return `Enter MFA token for ${request.profile} from device ${request.serial}`
}

/**
 * The first non-blank line of what the program said on stderr ("Can't open display"), without
 * control characters, trimmed and shortened: it goes into our one-line error message.
 */
function firstLine(stderr: string): string {
  const line = stderr.split(/\r?\n/).map(l => l.replaceAll(/[\u0000-\u001F\u007F-\u009F]/g, ' ').trim()).find(Boolean) ?? ''
  return line.length > SAID_MAX ? `${line.slice(0, SAID_MAX).trimEnd()}…` : line
}

export class SshAskpassProvider implements PromptProvider {
  readonly name = 'ssh-askpass'
  readonly retriesRejectedCodes = false

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async ask(request: PromptRequest): Promise<string> {
    const program = this.env.SSH_ASKPASS || 'ssh-askpass'
    const outcome = await runInOwnGroup(program, [promptText(request)], {env: this.env, signal: request.signal, timeoutMs: request.timeoutMs})
    switch (outcome.type) {
      case 'aborted': {
        throw new AbortedError()
      }

      case 'timed-out': {
        throw new PromptTimedOutError(`no MFA code was entered within ${Math.round(request.timeoutMs / 1000)} s`, 'run the command again when you are at the screen')
      }

      case 'spawn-failed': {
        const code = errnoCode(outcome.error)
        if (code === 'ENOENT' || code === 'EACCES') {
          throw new PromptUnavailableError(
            `cannot run ${program} to ask for the MFA code (${code})`,
            'install ssh-askpass (Debian/Ubuntu: apt install ssh-askpass), set SSH_ASKPASS to such a program, or use --prompt tty',
          )
        }

        throw new PromptUnavailableError(`cannot run ${program}: ${outcome.error.message}`)
      }

      case 'exited': {
        if (outcome.code === 0) return outcome.stdout
        const how = outcome.signal ? `ended by ${outcome.signal}` : `exited ${outcome.code}`
        const said = firstLine(outcome.stderr)
        throw new PromptCancelledError(`the MFA prompt was cancelled (${program} ${how}${said ? `: ${said}` : ''})`, 'run the command again to be asked again')
      }
    }
  }
}

/** The built-in `ssh-askpass`, as plugins write theirs (announced by hooks/prompt-ssh-askpass.ts). */
export const sshAskpassPrompt: PromptProviderSpec = {
  ask: request => new SshAskpassProvider().ask(request),
  description: 'a window from $SSH_ASKPASS, else ssh-askpass on PATH (for a desktop, or a service)',
  name: 'ssh-askpass',
  validateOptions: options => unknownOptions(options, []),
}
