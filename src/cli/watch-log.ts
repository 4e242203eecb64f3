/**
 * What `watch` prints: one line per event on stderr (local time; or JSON lines with
 * --log-format json), and in a terminal a live status line under them that says, per profile,
 * until when it is valid and when the next prompt comes. No secret is ever in any of it: events
 * carry names, times and secret-free error messages only.
 */
import type {TargetState, WatchEvent} from '../core/watcher.js'

import {formatExpiration} from '../core/schedule.js'
import {localTime, timeLeft} from './render.js'

export type LogFormat = 'json' | 'text'

export type LogEvent =
  | WatchEvent
  | {message: string; type: 'note'}
  | {message: string; type: 'reload-failed'}
  | {targets: Array<{profile: string; serial: string; target: string}>; type: 'started'}
  | {type: 'reloaded'}

function duration(ms: number): string {
  return timeLeft(new Date(Date.now() + ms), new Date()).replace(/ left$/, '')
}

/** The text of one event, or undefined for events that need no line. */
export function describe(event: LogEvent): string | undefined {
  switch (event.type) {
    case 'error': {
      const retry = event.retryAt ? `; trying again at ${localTime(event.retryAt)}` : ''
      return `[${event.target}] ${event.error.message}${event.error.hint ? ` (${event.error.hint})` : ''}${retry}`
    }

    case 'note':
    case 'reload-failed': {
      return event.message
    }

    case 'refresh': {
      const e = event.event
      switch (e.type) {
        case 'code-rejected': {
          return `[${event.target}] AWS rejected the code; asking again (${e.attemptsLeft} ${e.attemptsLeft === 1 ? 'try' : 'tries'} left)`
        }

        case 'lock-wait': {
          return e.lock === 'prompt'
            ? `[${event.target}] another mfa-creds is asking for a code for it; waiting`
            : `[${event.target}] waiting for the credentials file lock${e.holders}`
        }

        case 'prompting': {
          return `[${event.target}] asking for an MFA code${e.attempt > 1 ? ` (try ${e.attempt})` : ''}`
        }

        case 'retrying': {
          return `[${event.target}] ${e.reason}; retrying in ${duration(e.delayMs)}${e.reusesCode ? ' with the same code' : ''}`
        }

        default: {
          return undefined
        }
      }
    }

    case 'reloaded': {
      return 'settings reloaded'
    }

    case 'retrying': {
      return `[${event.target}] ${event.reason}; retrying in ${duration(event.delayMs)}`
    }

    case 'started': {
      return `watching ${event.targets.map(t => `[${t.target}] (keys of [${t.profile}], device ${t.serial})`).join(', ')}`
    }

    case 'stopped': {
      return `[${event.target}] stopped`
    }

    case 'valid': {
      const until = `valid until ${localTime(event.expiration)} (${timeLeft(event.expiration, new Date())}); next prompt at ${localTime(event.dueAt)}`
      if (event.result === 'refreshed') return `[${event.target}] refreshed: ${until}`
      if (event.result === 'kept-newer') return `[${event.target}] refreshed by another process: ${until}`
      return `[${event.target}] ${until}`
    }
  }
}

/** The machine form of one event: stable field names, ISO times. */
export function toJson(event: LogEvent, at: Date): Record<string, unknown> | undefined {
  const message = describe(event)
  if (message === undefined) return undefined
  const base: Record<string, unknown> = {event: event.type === 'refresh' ? event.event.type : event.type, message, time: at.toISOString()}
  if ('target' in event) base.target = event.target
  if (event.type === 'valid') Object.assign(base, {action: event.result, dueAt: formatExpiration(event.dueAt), expiration: formatExpiration(event.expiration)})
  if (event.type === 'error') Object.assign(base, {exitCode: event.error.exitCode, kind: event.error.kind, retryAt: event.retryAt && formatExpiration(event.retryAt)})
  if (event.type === 'refresh' && event.event.type === 'retrying') base.delayMs = event.event.delayMs
  return base
}

export function statusLine(targets: TargetState[], now: Date): string {
  return targets
    .map(t => {
      if (t.phase === 'prompting') return `${t.target}: asking for a code`
      if (!t.expiration || !t.dueAt) return `${t.target}: starting`
      const next = t.dueAt.getTime() - now.getTime()
      return `${t.target}: valid until ${localTime(t.expiration).slice(11, 16)} (${timeLeft(t.expiration, now)}), next prompt in ${next > 0 ? duration(next) : 'now'}`
    })
    .join(' | ')
}

export class WatchLog {
  private shown = false

  constructor(
    private readonly out: NodeJS.WritableStream & {columns?: number},
    private readonly format: LogFormat,
    readonly live: boolean,
  ) {}

  /** Takes the live line off the screen (before a prompt on the same terminal, and at the end). */
  clearStatus(): void {
    if (this.shown) this.out.write('\r\u001B[2K')
    this.shown = false
  }

  log(event: LogEvent, at = new Date()): void {
    if (this.format === 'json') {
      const json = toJson(event, at)
      if (json) this.out.write(`${JSON.stringify(json)}\n`)
      return
    }

    const text = describe(event)
    if (text === undefined) return
    this.clearStatus()
    this.out.write(`${localTime(at)} ${text}\n`)
  }

  /** Redraws the live line (only in a terminal, with text logs). */
  status(targets: TargetState[]): void {
    if (!this.live) return
    if (targets.some(t => t.phase === 'prompting')) {
      this.clearStatus()
      return
    }

    // A terminal that reports no size (0 columns) gets the classic 80.
    const width = Math.max((this.out.columns || 80) - 1, 20)
    this.out.write(`\r\u001B[2K${statusLine(targets, new Date()).slice(0, width)}`)
    this.shown = true
  }
}
