import assert from 'node:assert/strict'

import {StsUnavailableError} from '../../src/core/errors.js'
import {checkCredentials} from '../../src/core/sts.js'

describe('sts: checking what STS sent', () => {
  const keys = {AccessKeyId: 'ASIASTUBSTUBSTUB0001', SecretAccessKey: 'stub/Secret+Key', SessionToken: 'FwoGZXIvYXdz+/abc=='}
  const request = {credentials: {accessKeyId: 'AKIAX', secretAccessKey: 'x'}, credentialsProfile: 'default', region: 'us-east-1'}
  const now = Date.UTC(2030, 0, 1)
  const hours = (n: number) => new Date(now + (n * 3_600_000))

  it('takes credentials that last from a minute to 36 hours by this clock', () => {
    assert.equal(checkCredentials({...keys, Expiration: hours(12)}, request, 0, now).expiration.getTime(), hours(12).getTime())
    assert.ok(checkCredentials({...keys, Expiration: hours(36)}, {...request, durationSeconds: 129_600}, 0, now))
  })

  it('says which way the clock is off: from the Date header when the SDK saw a skew, else from the session asked for', () => {
    const error = (expiration: Date, skewMs: number) => {
      try {
        checkCredentials({...keys, Expiration: expiration}, request, skewMs, now)
      } catch (error_) {
        assert.ok(error_ instanceof StsUnavailableError)
        return error_.message
      }

      assert.fail('accepted')
    }

    assert.match(error(hours(-1), 0), /expired 1h 0m ago by this machine's clock: .*off by about 13h 0m/)
    // STS's clock (the Date header) is 13 hours behind ours: ours is ahead.
    assert.match(error(hours(-1), -13 * 3_600_000), /this machine's clock is 13h 0m ahead of STS's/)
    assert.match(error(hours(40), 5 * 3_600_000), /this machine's clock is 5h 0m behind STS's/)
    assert.match(error(hours(40), 0), /cannot be written: they expire at 2030-01-02T16:00:00Z, later than the 36 hours/)
    assert.match(error(new Date(now + 30_000), 0), /expire in 30s by this machine's clock/)
  })
})
