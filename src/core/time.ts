/**
 * Time as the credentials file and the hooks carry it: expirations written in one RFC 3339 form
 * (UTC, whole seconds: the sdk's toRfc3339, the same on the wire and in the file) and read in
 * every form other tools write; when credentials are fresh; an abortable sleep.
 */
import {AbortedError} from './errors.js'

/** `2026-11-24T06:21:04Z`: RFC 3339, UTC, whole seconds (the form the hooks carry, too). */
export {toRfc3339 as formatExpiration} from '@mfa-creds/sdk'

const EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/

/**
 * Reads an expiration: RFC 3339 (any offset, `+05:00` or `+0500`, optional fraction, `t`/`z` in
 * either case), or the naive `YYYY-MM-DD HH:MM:SS` form other tools write, taken as UTC.
 * Undefined when unreadable or impossible (2026-02-31, hour 24, offset +25:00): nothing is rolled
 * over. A leap second (23:59:60 UTC) is read as the second before it: JavaScript has none.
 */
export function parseExpiration(text: string | undefined): Date | undefined {
  const m = text === undefined ? null : EXPIRATION.exec(text.trim())
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number)
  const [fraction, zone] = [m[7], m[8]]
  // The date and time as written, checked against the calendar before any offset applies.
  const written = new Date(Date.UTC(year, month - 1, day))
  written.setUTCFullYear(year)
  if (written.getUTCMonth() !== month - 1 || written.getUTCDate() !== day) return undefined
  if (hour > 23 || minute > 59 || second > 60) return undefined

  let offsetMinutes = 0
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const [oh, om] = [Number(digits.slice(0, 2)), Number(digits.slice(2))]
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * ((oh * 60) + om)
  }

  const minutes = (hour * 60) + minute - offsetMinutes
  let ms = written.getTime() + ((((minutes * 60) + Math.min(second, 59))) * 1000)
  if (second === 60) {
    // Only the last second of a UTC day can be a leap second.
    const utc = new Date(ms)
    if (utc.getUTCHours() !== 23 || utc.getUTCMinutes() !== 59) return undefined
  }

  if (fraction && second !== 60) ms += Math.floor(Number(`0${fraction}`) * 1000)
  return Number.isNaN(ms) ? undefined : new Date(ms)
}

/** The moment a refresh becomes due: lead time before expiry. */
export function refreshDueAt(expiration: Date, leadTimeSeconds: number): Date {
  return new Date(expiration.getTime() - (leadTimeSeconds * 1000))
}

/** Fresh: expires later than now + lead time. */
export function isFresh(expiration: Date | undefined, now: Date, leadTimeSeconds: number): boolean {
  return expiration !== undefined && refreshDueAt(expiration, leadTimeSeconds).getTime() > now.getTime()
}

/** Waits `ms` (a monotonic timer); rejects with AbortedError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError())
      return
    }

    const onAbort = () => {
      clearTimeout(timer)
      reject(new AbortedError())
    }

    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}
