/**
 * ssh-askpass: runs `$SSH_ASKPASS`, else `ssh-askpass` from PATH, with the prompt as its one
 * argument and stdin closed; reads the code from stdout. A non-zero exit means cancelled (the
 * message adds the first line of its stderr, which says why: "Can't open display"). It runs
 * in a process group of its own: a timeout or our shutdown ends it and whatever it started
 * (dialog.ts, shared with the other windows).
 */
import {windowPrompt, WindowSpec} from './dialog.js'

export const sshAskpassWindow: WindowSpec = {
  args: text => [text],
  description: 'a window from $SSH_ASKPASS, else ssh-askpass on PATH (for a desktop, or a service)',
  installHint: 'install ssh-askpass (Debian/Ubuntu: apt install ssh-askpass), set SSH_ASKPASS to such a program, or use --prompt tty',
  name: 'ssh-askpass',
  program: env => env.SSH_ASKPASS || 'ssh-askpass',
}

/** The built-in `ssh-askpass` (announced by hooks/prompt-ssh-askpass.ts). */
export const sshAskpassPrompt = windowPrompt(sshAskpassWindow)
