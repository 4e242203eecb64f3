/**
 * --notify: a desktop notice (notify-send, from libnotify) just before a prompt appears, so a code
 * asked for in a window or a terminal in the background is not missed. Best effort: where
 * notify-send is missing or no notification daemon runs, nothing fails and nothing is printed.
 */
import {spawn} from 'node:child_process'

import type {RefreshEvent} from '../core/refresher.js'

export function notifyPrompt(profile: string, target: string): void {
  try {
    const child = spawn('notify-send', ['--app-name=mfa-creds', '--urgency=normal', 'MFA code needed', `mfa-creds is asking for a one-time code for ${profile} (to refresh [${target}])`], {
      stdio: 'ignore',
    })
    child.on('error', () => {})
    child.unref()
  } catch {
    // No notice is no failure.
  }
}

/** An onEvent hook that sends the notice for the first prompt of a cycle, when enabled. */
export function promptNotifier(enabled: boolean | undefined, profile: string, target: string): (event: RefreshEvent) => void {
  return event => {
    if (enabled && event.type === 'prompting' && event.attempt === 1) notifyPrompt(profile, target)
  }
}
