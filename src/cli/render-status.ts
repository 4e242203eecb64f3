/**
 * `status` for a person: a table, the lock, the watchers; colours only in a terminal, and never
 * when NO_COLOR is set.
 */
import type {StatusReport, Validity} from '../core/state/status.js'

import {describeHolders} from '../core/files/lock.js'
import {localTime, timeLeft} from './render.js'

const COLOURS: Record<Validity, string> = {
  expired: '31', incomplete: '31', 'refresh-due': '33', unknown: '2', valid: '32',
}
const LABELS: Record<Validity, string> = {
  expired: 'expired', incomplete: 'incomplete', 'refresh-due': 'refresh due', unknown: 'unknown', valid: 'valid',
}

export function useColour(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb'
}

/** `profile`: the one status was asked about (-p), if any. */
export function renderStatus(report: StatusReport, now: Date, colour: boolean, profile?: string): string {
  const paint = (state: Validity, text: string) => (colour ? `\u001B[${COLOURS[state]}m${text}\u001B[0m` : text)
  const rows = report.profiles.map(p => [
    p.profile,
    p.sourceProfile ?? '-',
    p.keys ?? '-',
    p.mfaSerial ?? '-',
    p.expiration ? localTime(new Date(p.expiration)) : '-',
    p.expiration ? timeLeft(new Date(p.expiration), now) : '-',
    p.state,
  ])
  const header = ['PROFILE', 'SOURCE', 'KEYS', 'MFA SERIAL', 'EXPIRES', 'LEFT', 'STATE']
  const STATE = header.length - 1
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (i === STATE ? LABELS[r[STATE] as Validity] : r[i]).length)))
  const line = (cells: string[], state?: Validity) =>
    cells
      .map((c, i) => (i === STATE && state ? paint(state, LABELS[state].padEnd(widths[i])) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  const out: string[] = []
  if (rows.length === 0) {
    out.push(profile === undefined
      ? `No MFA profiles in ${report.credentialsFile} yet (run: mfa-creds refresh-once).`
      : `No MFA profiles refreshed from ${profile} yet (run: mfa-creds refresh-once -p ${profile}).`)
  } else {
    out.push(line(header), ...rows.map(r => line(r, r[STATE] as Validity)))
  }

  out.push('', report.lock.held ? `Lock: held${describeHolders(report.lock.holders).replace(/^; held/, '')} (${report.lock.path})` : `Lock: free (${report.lock.path})`)
  if (report.watchers.length === 0) out.push('Watchers: none')
  for (const w of report.watchers) {
    out.push(`Watcher: pid ${w.pid} watching ${w.targets.map(t => t.target).join(', ')} since ${localTime(new Date(w.startedAt))}${w.serving ? `, serving them at ${w.serving}` : ''}`)
  }

  return out.join('\n')
}
