/**
 * How results look to a person (local time, time left) and to a machine (--json).
 */
import type {RefreshEvent, RefreshResult} from '../core/refresh/refresher.js'

import {formatExpiration} from '../core/time.js'

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * `2026-11-24 07:21:04 +01:00` (`... UTC` at offset zero): local time, with its offset from UTC,
 * which says exactly when it is. Zone names would need Intl's time zone data, whose first use
 * costs more than all the rest of `status` (some 15 ms).
 */
export function localTime(date: Date): string {
  const offset = -date.getTimezoneOffset()
  const zone = offset === 0 ? 'UTC' : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  return `${day} ${time} ${zone}`
}

/** `11h 58m`, `4m 10s`, `3d 4h`, `expired 3m ago`. */
export function timeLeft(expiration: Date, now: Date): string {
  const seconds = Math.round((expiration.getTime() - now.getTime()) / 1000)
  const abs = Math.abs(seconds)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs % 3600) / 60)
  const s = abs % 60
  let text = `${s}s`
  if (h >= 48) text = `${Math.floor(h / 24)}d ${h % 24}h`
  else if (h > 0) text = `${h}h ${m}m`
  else if (m > 0) text = `${m}m ${s}s`
  return seconds >= 0 ? `${text} left` : `expired ${text} ago`
}

export interface RefreshJson {
  action: RefreshResult['action']
  credentialsFile: string
  expiration: null | string
  profile: string
  secondsLeft: null | number
  targetProfile: string
}

export function refreshJson(result: RefreshResult, now: Date): RefreshJson {
  return {
    action: result.action,
    credentialsFile: result.credentialsFile,
    expiration: result.expiration ? formatExpiration(result.expiration) : null,
    profile: result.profile,
    secondsLeft: result.expiration ? Math.round((result.expiration.getTime() - now.getTime()) / 1000) : null,
    targetProfile: result.targetProfile,
  }
}

export function renderRefresh(result: RefreshResult, now: Date): string {
  const until = result.expiration ? `valid until ${localTime(result.expiration)} (${timeLeft(result.expiration, now)})` : 'valid'
  switch (result.action) {
    case 'fresh': {
      return `[${result.targetProfile}] is still ${until}; nothing to do.`
    }

    case 'kept-newer': {
      return `[${result.targetProfile}] was just refreshed by another process and is ${until}; kept it.`
    }

    case 'refreshed': {
      return `[${result.targetProfile}] refreshed: ${until}.`
    }
  }
}

/** A progress line for stderr, or undefined when the event needs none. */
export function renderEvent(event: RefreshEvent, providerName: string, profile: string, target: string): string | undefined {
  switch (event.type) {
    case 'lock-wait': {
      return event.lock === 'prompt'
        ? `Another mfa-creds is already asking for a code for [${target}]; waiting for it.`
        : `Waiting for the credentials file lock${event.holders}.`
    }

    case 'prompting': {
      return providerName === 'tty' ? undefined : `Asking for the MFA code for ${profile} with ${providerName}.`
    }

    default: {
      return undefined
    }
  }
}
