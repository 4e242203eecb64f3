/**
 * zenity (GNOME and most Linux desktops, X11 or Wayland): `zenity --entry --hide-text`, titled
 * mfa-creds, the prompt as its text. Cancel, Escape or closing the window exit 1: cancelled.
 * zenity reads its --text through g_strcompress (`\n` is a line break) and as a mnemonic label
 * (`_x` underlines x): both are escaped, so a profile named my_work shows as my_work.
 */
import {DIALOG_TITLE, windowPrompt, WindowSpec} from './dialog.js'

/** The arguments of the entry window (`--opt=value`: a value starting with - stays a value). */
export function zenityArgs(text: string): string[] {
  const label = text.replaceAll('\\', '\\\\').replaceAll('_', '__')
  return ['--entry', '--hide-text', `--title=${DIALOG_TITLE}`, `--text=${label}`]
}

export const zenityWindow: WindowSpec = {
  args: zenityArgs,
  description: 'a zenity window (GNOME and most Linux desktops)',
  installHint: 'install zenity (Debian/Ubuntu: apt install zenity), or choose another with --prompt (kdialog, ssh-askpass, tty)',
  name: 'zenity',
  needsDisplay: true,
  program: () => 'zenity',
  // GTK without an accessibility bus (a service, a bare X server), on every run.
  quiet: /dbind-WARNING|at-spi/,
}

/** The built-in `zenity` (announced by hooks/prompt-zenity.ts). */
export const zenityPrompt = windowPrompt(zenityWindow)
