/**
 * When credentials need refreshing, how expirations are read and written, and how to wait for a
 * moment on the wall clock (through suspend and clock jumps) without busy polling.
 */
import {AbortedError} from './errors.js'

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
