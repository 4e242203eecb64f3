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

/** One target a role was assumed from (the MFA session, a role below it in a chain), as its refresh went. */
export interface HopJson {
  action: RefreshResult['action']
  expiration: null | string
  profile: string
  secondsLeft: null | number
  targetProfile: string
}

export interface RefreshJson extends HopJson {
  credentialsFile: string
  /** For a role assumed from targets kept beside it: each of them, from the MFA session up; absent otherwise. */
  hops?: HopJson[]
}

/** The targets a role was assumed from, from the bottom (the MFA session) up. */
function hopsOf(result: RefreshResult): RefreshResult[] {
  const hops: RefreshResult[] = []
  for (let hop = result.via; hop; hop = hop.via) hops.unshift(hop)
  return hops
}

function hopJson(result: RefreshResult, now: Date): HopJson {
  return {
    action: result.action,
    expiration: result.expiration ? formatExpiration(result.expiration) : null,
    profile: result.profile,
    secondsLeft: result.expiration ? Math.round((result.expiration.getTime() - now.getTime()) / 1000) : null,
    targetProfile: result.targetProfile,
  }
}

export function refreshJson(result: RefreshResult, now: Date): RefreshJson {
  const hops = hopsOf(result)
  return {...hopJson(result, now), credentialsFile: result.credentialsFile, ...(hops.length > 0 && {hops: hops.map(hop => hopJson(hop, now))})}
}

function validUntil(result: RefreshResult, now: Date): string {
  return result.expiration ? `valid until ${localTime(result.expiration)} (${timeLeft(result.expiration, now)})` : 'valid'
}

/** What was done, one line per target: for a role, first each target it was assumed from (so a chain shows which hops were refreshed). */
export function renderRefresh(result: RefreshResult, now: Date): string {
  const hops = hopsOf(result).map(hop => (hop.action === 'fresh'
    ? `[${hop.targetProfile}] is still ${validUntil(hop, now)}; used it.`
    : renderTarget(hop, now)))
  return [...hops, renderTarget(result, now)].join('\n')
}

function renderTarget(result: RefreshResult, now: Date): string {
  const until = validUntil(result, now)
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
