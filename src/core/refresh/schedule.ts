/**
 * When credentials need refreshing, how expirations are read and written, and how to wait for a
 * moment on the wall clock (through suspend and clock jumps) without busy polling.
 */
import {AbortedError} from '../errors.js'

/** `2026-11-24T06:21:04Z`: RFC 3339, UTC, whole seconds. */
export function formatExpiration(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}

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

interface Waiter {
  due: number
  reject: (error: Error) => void
  resolve: () => void
}

/**
 * Sleeps until moments on the wall clock. Timers run on a monotonic clock that stops while a
 * laptop sleeps and ignores clock changes, so one timer is armed for the nearest moment but never
 * further than `tickMs` ahead, and every wake-up compares against the wall clock again. One timer
 * serves every waiter: an idle process wakes at most once per tick.
 */
export class WallClock {
  private timer: NodeJS.Timeout | undefined
  private readonly waiters = new Set<Waiter>()

  constructor(
    readonly tickMs = 30_000,
    private readonly onTick?: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves once the wall clock reaches `due`; rejects with AbortedError when `signal` aborts. */
  until(due: Date | number, signal?: AbortSignal): Promise<void> {
    const at = typeof due === 'number' ? due : due.getTime()
    if (signal?.aborted) return Promise.reject(new AbortedError())
    if (at <= this.now()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(waiter)
        this.arm()
        reject(new AbortedError())
      }

      const waiter: Waiter = {
        due: at,
        reject,
        resolve() {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
      }
      signal?.addEventListener('abort', onAbort, {once: true})
      this.waiters.add(waiter)
      this.arm()
    })
  }

  /** Resolves every waiter now (e.g. after a settings reload), as if its moment had come. */
  wakeAll(): void {
    for (const waiter of this.waiters) waiter.resolve()
    this.waiters.clear()
    this.arm()
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.waiters.size === 0) return
    const nearest = Math.min(...[...this.waiters].map(w => w.due))
    const delay = Math.min(Math.max(nearest - this.now(), 0), this.tickMs)
    this.timer = setTimeout(() => this.fire(), delay)
  }

  private fire(): void {
    const now = this.now()
    for (const waiter of this.waiters) {
      if (waiter.due <= now) {
        this.waiters.delete(waiter)
        waiter.resolve()
      }
    }

    this.onTick?.()
    this.arm()
  }
}
