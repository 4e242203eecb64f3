/**
 * osascript (macOS): AppleScript's `display dialog` with a hidden answer, titled mfa-creds. The
 * script is fixed; the prompt reaches it as an argument (`on run argv`), never spliced into its
 * text, so no profile name can be AppleScript. Cancel exits 1 ("User canceled. (-128)"):
 * cancelled. Tested here only through a fake osascript (this project's CI runs on Linux): not
 * yet on a real Mac.
 */
import {DIALOG_TITLE, windowPrompt, WindowSpec} from './dialog.js'

/** The script, one `-e` per line. It prints the answer (and a line break) on stdout. */
export const OSASCRIPT_SCRIPT: readonly string[] = [
  'on run argv',
  `set answer to display dialog (item 1 of argv) default answer "" with hidden answer buttons {"Cancel", "OK"} default button "OK" cancel button "Cancel" with title "${DIALOG_TITLE}"`,
  'return text returned of answer',
  'end run',
]

export function osascriptArgs(text: string): string[] {
  return [...OSASCRIPT_SCRIPT.flatMap(line => ['-e', line]), text]
}

export const osascriptWindow: WindowSpec = {
  args: osascriptArgs,
  description: 'a macOS dialog through osascript (AppleScript display dialog)',
  installHint: 'osascript comes with macOS (/usr/bin/osascript); elsewhere choose another with --prompt',
  name: 'osascript',
  program: () => 'osascript',
}

/** The built-in `osascript` (announced by hooks/prompt-osascript.ts). */
export const osascriptPrompt = windowPrompt(osascriptWindow)
