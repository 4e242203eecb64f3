/**
 * Times cross the hook as RFC 3339 strings (`2026-11-24T06:21:04Z`); an extension sees Dates.
 * The host writes UTC with whole seconds; any offset and fraction are read.
 */

/** `2026-11-24T06:21:04Z`: RFC 3339, UTC, whole seconds. */
export function toRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i

/** The time an RFC 3339 string names; undefined when it is not one, or names no such day (2026-02-31). */
export function fromRfc3339(text: string | undefined): Date | undefined {
  const m = typeof text === 'string' ? RFC3339.exec(text) : null
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number)
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined
  const time = Date.parse(text!)
  return Number.isNaN(time) ? undefined : new Date(time)
}
