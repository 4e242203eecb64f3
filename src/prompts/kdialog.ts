/**
 * kdialog (KDE Plasma): `kdialog --title mfa-creds --password TEXT`. Cancel, Escape or closing
 * the window exit 1: cancelled. Qt shows a label as rich text when it looks like HTML (a tag
 * early on): text with a `<` is HTML-escaped, which makes Qt show it as rich text that reads
 * exactly as the text, so a profile name cannot be markup.
 */
import {DIALOG_TITLE, windowPrompt, WindowSpec} from './dialog.js'

export function kdialogArgs(text: string): string[] {
  const label = text.includes('<') ? text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;') : text
  return ['--title', DIALOG_TITLE, '--password', label]
}

export const kdialogWindow: WindowSpec = {
  args: kdialogArgs,
  description: 'a kdialog window (KDE Plasma)',
  installHint: 'install kdialog (Debian/Ubuntu: apt install kdialog), or choose another with --prompt (zenity, ssh-askpass, tty)',
  name: 'kdialog',
  needsDisplay: true,
  program: () => 'kdialog',
  // Qt without XDG_RUNTIME_DIR (a service, su), on every run.
  quiet: /^QStandardPaths: /,
}

/** The built-in `kdialog` (announced by hooks/prompt-kdialog.ts). */
export const kdialogPrompt = windowPrompt(kdialogWindow)
