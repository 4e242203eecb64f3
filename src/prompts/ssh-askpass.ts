/**
 * ssh-askpass: runs `$SSH_ASKPASS`, else `ssh-askpass` from PATH, with the prompt as its one
 * argument and stdin closed; reads the code from stdout. A non-zero exit means cancelled (the
 * message adds the first line of its stderr, which says why: "Can't open display"). It runs
 * in a process group of its own: a timeout or our shutdown ends it and whatever it started
 * (dialog.ts, shared with the other windows).
 */
import type {PromptProviderSpec} from '@mfa-creds/sdk'

import {unknownOptions} from '@mfa-creds/sdk'

import {PromptProvider, PromptRequest} from '../core/refresh/ports.js'
import {askInDialog, promptText} from './dialog.js'

export class SshAskpassProvider implements PromptProvider {
  readonly name = 'ssh-askpass'
  readonly retriesRejectedCodes = false

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  ask(request: PromptRequest): Promise<string> {
    return askInDialog({
      args: [promptText(request)],
      env: this.env,
      installHint: 'install ssh-askpass (Debian/Ubuntu: apt install ssh-askpass), set SSH_ASKPASS to such a program, or use --prompt tty',
      program: this.env.SSH_ASKPASS || 'ssh-askpass',
    }, request)
  }
}

/** The built-in `ssh-askpass`, as plugins write theirs (announced by hooks/prompt-ssh-askpass.ts). */
export const sshAskpassPrompt: PromptProviderSpec = {
  ask: request => new SshAskpassProvider().ask(request),
  description: 'a window from $SSH_ASKPASS, else ssh-askpass on PATH (for a desktop, or a service)',
  name: 'ssh-askpass',
  validateOptions: options => unknownOptions(options, []),
}
