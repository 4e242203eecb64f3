/**
 * Choosing a prompt provider. `auto` follows OpenSSH's rules for SSH_ASKPASS:
 * SSH_ASKPASS_REQUIRE=force -> ssh-askpass; =never -> tty; =prefer -> ssh-askpass when there is a
 * display; otherwise tty when there is a terminal, ssh-askpass when there is none but a display.
 */
import {PromptUnavailableError} from '../core/errors.js'
import {PromptChoice} from '../core/settings.js'
import {PromptProvider, PromptRequest} from './provider.js'
import {SshAskpassProvider} from './ssh-askpass.js'
import {hasTerminal, TtyProvider} from './tty.js'

export type {PromptProvider, PromptRequest} from './provider.js'

class UnavailableProvider implements PromptProvider {
  readonly name = 'none'
  readonly retriesRejectedCodes = false

  constructor(private readonly error: PromptUnavailableError) {}

  ask(_request: PromptRequest): Promise<string> {
    return Promise.reject(this.error)
  }
}

export function chooseAuto(env: NodeJS.ProcessEnv, terminal: () => boolean = hasTerminal): 'ssh-askpass' | 'tty' | undefined {
  const require = env.SSH_ASKPASS_REQUIRE
  const display = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  if (require === 'force') return 'ssh-askpass'
  if (require === 'never') return 'tty'
  if (require === 'prefer' && display) return 'ssh-askpass'
  if (terminal()) return 'tty'
  if (display) return 'ssh-askpass'
  return undefined
}

export function createPromptProvider(choice: PromptChoice, env: NodeJS.ProcessEnv = process.env): PromptProvider {
  const name = choice === 'auto' ? chooseAuto(env) : choice
  switch (name) {
    case 'ssh-askpass': {
      return new SshAskpassProvider(env)
    }

    case 'tty': {
      return new TtyProvider()
    }

    default: {
      return new UnavailableProvider(new PromptUnavailableError(
        'no way to ask for the MFA code: there is no terminal and no display (DISPLAY or WAYLAND_DISPLAY)',
        'run it in a terminal, set DISPLAY for ssh-askpass, or choose with --prompt tty|ssh-askpass (SSH_ASKPASS_REQUIRE=force also selects ssh-askpass)',
      ))
    }
  }
}
