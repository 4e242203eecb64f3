/**
 * `auto`: which built-in prompt asks, in this order (the README's table says the same):
 *
 * 1. OpenSSH's rules for SSH_ASKPASS: SSH_ASKPASS_REQUIRE=force -> ssh-askpass; =never -> tty;
 *    =prefer -> ssh-askpass when there is a display (DISPLAY or WAYLAND_DISPLAY).
 * 2. A terminal (/dev/tty can be opened) -> tty.
 * 3. No terminal, but a display (on macOS the window server always counts as one):
 *    a. $SSH_ASKPASS set -> ssh-askpass (the user chose that program);
 *    b. macOS -> osascript;
 *    c. a KDE session (XDG_CURRENT_DESKTOP lists KDE) -> kdialog, else zenity, else ssh-askpass
 *       (KDE_FIRST); any other -> zenity, else kdialog, else ssh-askpass (WINDOWS_ORDER): the
 *       first that is on PATH and executable;
 *    d. none of those installed, with a display -> ssh-askpass, whose error says how to install it.
 * 4. Neither terminal nor display: as aws-mfa-credentials did, an ssh-askpass that can be run
 *    ($SSH_ASKPASS, else ssh-askpass on PATH) is still asked: it may be a script that asks
 *    another way. Otherwise undefined: no way to ask.
 */
import {accessSync, constants} from 'node:fs'
import path from 'node:path'

import {hasTerminal} from './tty.js'

export type AutoChoice = 'kdialog' | 'osascript' | 'ssh-askpass' | 'tty' | 'zenity'

/** The windows of a Linux (or BSD) desktop, first installed first. */
export const WINDOWS_ORDER: readonly AutoChoice[] = ['zenity', 'kdialog', 'ssh-askpass']
/** The same in a KDE session, where kdialog is the desktop's own. */
export const KDE_FIRST: readonly AutoChoice[] = ['kdialog', 'zenity', 'ssh-askpass']

/** What auto looks at besides the environment (the tests give their own). */
export interface AutoProbes {
  /** A program (a name, looked up on PATH, or a path) can be run: by default, is executable. */
  canRun?: (program: string) => boolean
  platform?: NodeJS.Platform
  /** There is a terminal to ask on. */
  terminal?: () => boolean
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** A path that can be run, or a name found executable in a directory of PATH (as execvp looks). */
export function canRunFrom(env: NodeJS.ProcessEnv): (program: string) => boolean {
  return program => (program.includes('/')
    ? executable(program)
    : (env.PATH ?? '').split(path.delimiter).some(dir => dir !== '' && executable(path.join(dir, program))))
}

/** $SSH_ASKPASS, or ssh-askpass on PATH, can be run. */
export function askpassFound(env: NodeJS.ProcessEnv, canRun: (program: string) => boolean = canRunFrom(env)): boolean {
  return canRun(env.SSH_ASKPASS || 'ssh-askpass')
}

function kdeSession(env: NodeJS.ProcessEnv): boolean {
  return (env.XDG_CURRENT_DESKTOP ?? '').split(':').some(desktop => desktop.toUpperCase() === 'KDE')
}

export function chooseAuto(env: NodeJS.ProcessEnv, probes: AutoProbes = {}): AutoChoice | undefined {
  const {platform = process.platform, terminal = hasTerminal} = probes
  const canRun = probes.canRun ?? canRunFrom(env)
  const require = env.SSH_ASKPASS_REQUIRE
  const display = Boolean(env.DISPLAY || env.WAYLAND_DISPLAY)
  if (require === 'force') return 'ssh-askpass'
  if (require === 'never') return 'tty'
  if (require === 'prefer' && display) return 'ssh-askpass'
  if (terminal()) return 'tty'
  if (env.SSH_ASKPASS && (display || platform === 'darwin')) return 'ssh-askpass'
  if (platform === 'darwin' && canRun('osascript')) return 'osascript'
  if (display) return (kdeSession(env) ? KDE_FIRST : WINDOWS_ORDER).find(program => canRun(program)) ?? 'ssh-askpass'
  if (askpassFound(env, canRun)) return 'ssh-askpass'
  return undefined
}
