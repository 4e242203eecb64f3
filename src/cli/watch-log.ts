/**
 * What `watch` prints: one line per event on stderr (local time; or JSON lines with
 * --log-format json), and in a terminal a live status line under them that says, per profile,
 * until when it is valid and when the next prompt (or, for a role from a session, re-assumption) comes. No secret is ever in any of it: events
 * carry names, times and secret-free error messages only.
 */
import type {Settings} from '../core/refresh/settings.js'
import type {TargetProgress, WatchEvent} from '../core/refresh/watch-loop.js'

import {formatExpiration} from '../core/time.js'
import {localTime, timeLeft} from './render.js'

export type LogFormat = 'json' | 'text'

/** What the log says about one watched target. */
export interface WatchedTarget {
  /** The profile whose long-term keys sign: the profile itself, or a role's source_profile. */
  keysOf: string
  profile: string
  /**
   * For a role: its ARN, and the target holding the MFA session it is assumed from, at the bottom
   * of its chain (none: with a code); for a chained role, the roles below it, from the top down,
   * each with the target it is kept in (none: assumed on the way, not kept).
   */
  role?: {arn: string; chain?: Array<{arn: string; target?: string}>; session?: string}
  serial: string
  target: string
}

export function watchedTarget(s: Settings): WatchedTarget {
  const chain: Array<{arn: string; target?: string}> = []
  let bottom = s.role
  while (bottom?.chained?.role) {
    chain.push({arn: bottom.chained.role.arn, target: bottom.session && bottom.chained.targetProfile})
    bottom = bottom.chained.role
  }

  return {
    keysOf: s.sourceProfile,
    profile: s.profile,
    role: s.role && {arn: s.role.arn, ...(chain.length > 0 && {chain}), session: bottom?.session?.targetProfile},
    serial: s.mfaSerial,
    target: s.targetProfile,
  }
}

export type LogEvent =
  | WatchEvent
  | {message: string; type: 'note'}
  | {message: string; type: 'reload-failed'}
  | {targets: WatchedTarget[]; type: 'reloaded'}
  | {targets: WatchedTarget[]; type: 'started'}

/** Target -> the MFA session target it is re-assumed from without a code. */
export type Sessions = ReadonlyMap<string, string>

function sessionsOf(targets: WatchedTarget[]): Map<string, string> {
  return new Map(targets.flatMap(t => (t.role?.session ? [[t.target, t.role.session] as const] : [])))
}

function started(t: WatchedTarget): string {
  const chain = (t.role?.chain ?? []).map(hop => `from role ${hop.arn}${hop.target ? ` in [${hop.target}]` : ''}, `).join('')
  const role = t.role ? `role ${t.role.arn}, ${chain}${t.role.session ? `assumed from the MFA session in [${t.role.session}]` : 'assumed with a code'}, ` : ''
  return `[${t.target}] (${role}keys of [${t.keysOf}], device ${t.serial})`
}

/** When the next refresh comes: a prompt, or for a role from a session a re-assumption without one. */
function next(target: string, sessions: Sessions, at: string): string {
  const session = sessions.get(target)
  return session ? `next re-assumption ${at} (no code needed while [${session}] is fresh)` : `next prompt ${at}`
}

function duration(ms: number): string {
  return timeLeft(new Date(Date.now() + ms), new Date()).replace(/ left$/, '')
}

function describeValid(event: Extract<LogEvent, {type: 'valid'}>, sessions: Sessions): string {
  const until = `valid until ${localTime(event.expiration)} (${timeLeft(event.expiration, new Date())}); ${next(event.target, sessions, `at ${localTime(event.dueAt)}`)}`
  if (event.result === 'refreshed') return `[${event.target}] refreshed: ${until}`
  if (event.result === 'kept-newer') return `[${event.target}] refreshed by another process: ${until}`
  return `[${event.target}] ${until}`
}

/** The text of one event, or undefined for events that need no line. */
export function describe(event: LogEvent, sessions: Sessions = new Map()): string | undefined {
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
      return `watching ${event.targets.map(t => started(t)).join(', ')}`
    }

    case 'stopped': {
      return `[${event.target}] stopped`
    }

    case 'valid': {
      return describeValid(event, sessions)
    }
  }
}

/** The machine form of one event: stable field names, ISO times. */
export function toJson(event: LogEvent, at: Date, sessions: Sessions = new Map()): Record<string, unknown> | undefined {
  const message = describe(event, sessions)
  if (message === undefined) return undefined
  const base: Record<string, unknown> = {event: event.type === 'refresh' ? event.event.type : event.type, message, time: at.toISOString()}
  if ('target' in event) base.target = event.target
  if (event.type === 'valid') Object.assign(base, {action: event.result, dueAt: formatExpiration(event.dueAt), expiration: formatExpiration(event.expiration)})
  if (event.type === 'error') Object.assign(base, {exitCode: event.error.exitCode, kind: event.error.kind, retryAt: event.retryAt && formatExpiration(event.retryAt)})
  if (event.type === 'refresh' && event.event.type === 'retrying') base.delayMs = event.event.delayMs
  return base
}

export function statusLine(targets: TargetProgress[], now: Date, sessions: Sessions = new Map()): string {
  return targets
    .map(t => {
      if (t.phase === 'prompting') return `${t.target}: asking for a code`
      if (!t.expiration || !t.dueAt) return `${t.target}: starting`
      const due = t.dueAt.getTime() - now.getTime()
      const session = sessions.get(t.target)
      return `${t.target}: valid until ${localTime(t.expiration).slice(11, 16)} (${timeLeft(t.expiration, now)}), next ${session ? 're-assumption' : 'prompt'} in ${due > 0 ? duration(due) : 'now'}`
    })
    .join(' | ')
}

export class WatchLog {
  private sessions: Sessions = new Map()
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
    if (event.type === 'started' || event.type === 'reloaded') this.sessions = sessionsOf(event.targets)
    if (this.format === 'json') {
      const json = toJson(event, at, this.sessions)
      if (json) this.out.write(`${JSON.stringify(json)}\n`)
      return
    }

    const text = describe(event, this.sessions)
    if (text === undefined) return
    this.clearStatus()
    this.out.write(`${localTime(at)} ${text}\n`)
  }

  /** Redraws the live line (only in a terminal, with text logs). */
  status(targets: TargetProgress[]): void {
    if (!this.live) return
    if (targets.some(t => t.phase === 'prompting')) {
      this.clearStatus()
      return
    }

    // A terminal that reports no size (0 columns) gets the classic 80.
    const width = Math.max((this.out.columns || 80) - 1, 20)
    this.out.write(`\r\u001B[2K${statusLine(targets, new Date(), this.sessions).slice(0, width)}`)
    this.shown = true
  }
}
