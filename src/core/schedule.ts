/**
 * When credentials need refreshing, and how expirations are read and written.
 */

/** `2026-11-24T06:21:04Z`: RFC 3339, UTC, whole seconds. */
export function formatExpiration(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}

const EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/

/**
 * Reads an expiration: RFC 3339 (any offset, optional fraction), or the naive
 * `YYYY-MM-DD HH:MM:SS` form other tools write, taken as UTC. Undefined when unreadable.
 */
export function parseExpiration(text: string | undefined): Date | undefined {
  const m = text === undefined ? null : EXPIRATION.exec(text.trim())
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, fraction, zone] = m
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (fraction) ms += Math.floor(Number(`0${fraction}`) * 1000)
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    ms -= sign * ((Number(digits.slice(0, 2)) * 60) + Number(digits.slice(2))) * 60_000
  }

  const date = new Date(ms)
  // Reject impossible dates such as 2026-02-31 instead of rolling them over.
  if (Number.isNaN(ms) || date.getUTCDate() !== Number(d) || date.getUTCMonth() !== Number(mo) - 1) return undefined
  return date
}

/** The moment a refresh becomes due: lead time before expiry. */
export function refreshDueAt(expiration: Date, leadTimeSeconds: number): Date {
  return new Date(expiration.getTime() - (leadTimeSeconds * 1000))
}

/** Fresh: expires later than now + lead time. */
export function isFresh(expiration: Date | undefined, now: Date, leadTimeSeconds: number): boolean {
  return expiration !== undefined && refreshDueAt(expiration, leadTimeSeconds).getTime() > now.getTime()
}
