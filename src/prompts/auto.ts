/**
 * `auto` follows OpenSSH's rules for SSH_ASKPASS: SSH_ASKPASS_REQUIRE=force -> ssh-askpass;
 * =never -> tty; =prefer -> ssh-askpass when there is a display; otherwise tty when there is a
 * terminal, ssh-askpass when there is none but a display. With neither, as aws-mfa-credentials
 * did, an ssh-askpass that can be run ($SSH_ASKPASS, else ssh-askpass on PATH) is still asked: it
 * may be a script that asks another way. Undefined: no way to ask.
 */
import {accessSync, constants} from 'node:fs'
import path from 'node:path'

import {hasTerminal} from './tty.js'

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** $SSH_ASKPASS, or ssh-askpass on PATH, can be run. */
export function askpassFound(env: NodeJS.ProcessEnv): boolean {
  if (env.SSH_ASKPASS) return executable(env.SSH_ASKPASS)
  return (env.PATH ?? '').split(path.delimiter).some(dir => dir !== '' && executable(path.join(dir, 'ssh-askpass')))
}

export function chooseAuto(env: NodeJS.ProcessEnv, terminal: () => boolean = hasTerminal, askpass: () => boolean = () => askpassFound(env)): 'ssh-askpass' | 'tty' | undefined {
  const require = env.SSH_ASKPASS_REQUIRE
  const display = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  if (require === 'force') return 'ssh-askpass'
  if (require === 'never') return 'tty'
  if (require === 'prefer' && display) return 'ssh-askpass'
  if (terminal()) return 'tty'
  if (display || askpass()) return 'ssh-askpass'
  return undefined
}
