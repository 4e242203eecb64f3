/**
 * --notify: a desktop notice (notify-send, from libnotify) just before a prompt appears, so a code
 * asked for in a window or a terminal in the background is not missed. Best effort: where
 * notify-send is missing or no notification daemon runs, nothing fails and nothing is printed.
 */
import {runInOwnGroup} from '@mfa-creds/sdk'

import type {RefreshEvent} from '../core/refresh/refresher.js'

/** notify-send returns at once; one that hangs (no daemon answering) is ended with its group. */
const NOTICE_TIMEOUT_MS = 10_000

export function notifyPrompt(profile: string, target: string, signal?: AbortSignal): void {
  runInOwnGroup('notify-send', ['--app-name=mfa-creds', '--urgency=normal', 'MFA code needed', `mfa-creds is asking for a one-time code for ${profile} (to refresh [${target}])`], {
    signal, timeoutMs: NOTICE_TIMEOUT_MS, unref: true,
  }).catch(() => {
    // No notice is no failure.
  })
}

/** An onEvent hook that sends the notice for the first prompt of a cycle, when enabled. */
export function promptNotifier(enabled: boolean | undefined, profile: string, target: string, signal?: AbortSignal): (event: RefreshEvent) => void {
  return event => {
    if (enabled && event.type === 'prompting' && event.attempt === 1) notifyPrompt(profile, target, signal)
  }
}
