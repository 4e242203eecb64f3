import assert from 'node:assert/strict'

import {formatExpiration, parseExpiration} from '../../src/core/time.js'

const iso = (text: string | undefined) => {
  const date = parseExpiration(text)
  return date && date.toISOString()
}

describe('time: parseExpiration', () => {
  it('reads an offset that moves the date across midnight (either way)', () => {
    assert.equal(iso('2099-01-01T00:00:00+05:00'), '2098-12-31T19:00:00.000Z')
    assert.equal(iso('2098-12-31T22:30:00-05:00'), '2099-01-01T03:30:00.000Z')
    assert.equal(iso('2024-02-29T01:00:00+02:00'), '2024-02-28T23:00:00.000Z')
    assert.equal(iso('2024-03-01T00:00:00+00:30'), '2024-02-29T23:30:00.000Z')
  })

  it('reads the forms RFC 3339 allows, and the +0500 and naive forms other tools write', () => {
    assert.equal(iso('2099-01-01t00:00:00z'), '2099-01-01T00:00:00.000Z')
    assert.equal(iso('2099-01-01T00:00:00+0500'), '2098-12-31T19:00:00.000Z')
    assert.equal(iso('2099-01-01 00:00:00'), '2099-01-01T00:00:00.000Z')
    assert.equal(iso('2099-01-01T00:00:00.250-00:00'), '2099-01-01T00:00:00.250Z')
    // A leap second is the last second of its day.
    assert.equal(iso('2016-12-31T23:59:60Z'), '2016-12-31T23:59:59.000Z')
    assert.equal(iso('2017-01-01T04:59:60+05:00'), '2016-12-31T23:59:59.000Z')
  })

  it('rejects impossible dates, times and offsets instead of rolling them over', () => {
    for (const text of [
      '2026-02-31T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:61Z',
      '2026-01-01T12:00:00+25:00',
      '2026-01-01T12:00:00+24:00',
      '2026-01-01T12:00:00+05:60',
      '2026-01-01T12:00:00+5:00',
      '2026-01-01T12:00:00+05:0',
      '2026-01-01T12:59:60Z',
      '2026-01-01',
      'tomorrow',
      '',
    ]) assert.equal(parseExpiration(text), undefined, text)
  })

  it('writes what it reads back, UTC, whole seconds', () => {
    const date = parseExpiration('2099-01-01T00:00:00+05:00')!
    assert.equal(formatExpiration(date), '2098-12-31T19:00:00Z')
    assert.equal(parseExpiration(formatExpiration(date))?.getTime(), date.getTime())
  })
})
