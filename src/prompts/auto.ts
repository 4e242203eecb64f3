/**
 * `auto` follows OpenSSH's rules for SSH_ASKPASS: SSH_ASKPASS_REQUIRE=force -> ssh-askpass;
 * =never -> tty; =prefer -> ssh-askpass when there is a display; otherwise tty when there is a
 * terminal, ssh-askpass when there is none but a display. Undefined: no way to ask.
 */
import {hasTerminal} from './tty.js'

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
