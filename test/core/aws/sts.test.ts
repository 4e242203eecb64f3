import assert from 'node:assert/strict'

import {checkCredentials} from '../../../src/core/aws/sts.js'
import {StsUnavailableError} from '../../../src/core/errors.js'

describe('sts: checking what STS sent', () => {
  const keys = {AccessKeyId: 'ASIASTUBSTUBSTUB0001', SecretAccessKey: 'stub/Secret+Key', SessionToken: 'FwoGZXIvYXdz+/abc=='}
  const now = Date.UTC(2030, 0, 1)
  const hours = (n: number) => new Date(now + (n * 3_600_000))

  it('takes credentials that have not expired by this clock, whatever their length', () => {
    assert.equal(checkCredentials({...keys, Expiration: hours(12)}, 0, now).expiration.getTime(), hours(12).getTime())
    assert.ok(checkCredentials({...keys, Expiration: new Date(now + 15_000)}, 0, now))
    assert.ok(checkCredentials({...keys, Expiration: hours(24 * 365)}, 0, now))
  })

  it('refuses what it could not write and read back: a year past 9999, or before 1970', () => {
    assert.throws(() => checkCredentials({...keys, Expiration: new Date(Date.UTC(10_000, 0, 1))}, 0, now), /cannot be written: the expiration is in the year 10000/)
    assert.throws(() => checkCredentials({...keys, Expiration: new Date(Number.NaN)}, 0, now), /the expiration is not a date/)
  })

  it('says the clock is off for expired credentials: which way, from the Date header when the SDK saw a skew', () => {
    const error = (expiration: Date, skewMs: number) => {
      try {
        checkCredentials({...keys, Expiration: expiration}, skewMs, now)
      } catch (error_) {
        assert.ok(error_ instanceof StsUnavailableError)
        return error_.message
      }

      assert.fail('accepted')
    }

    assert.match(error(hours(-1), 0), /expired 1h 0m ago by this machine's clock: .*off by more than 1h 0m/)
    // STS's clock (the Date header) is 13 hours behind ours: ours is ahead.
    assert.match(error(hours(-1), -13 * 3_600_000), /this machine's clock is 13h 0m ahead of STS's/)
    assert.match(error(new Date(now), 0), /expired 0s ago/)
  })
})
