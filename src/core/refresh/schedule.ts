/**
 * How to wait for a moment on the wall clock (through suspend and clock jumps) without busy
 * polling: the watch loop's one wait. When a refresh is due is time.ts.
 */
import {AbortedError} from '../errors.js'

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
