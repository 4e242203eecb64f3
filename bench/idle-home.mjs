// The HOME an idle watch is measured in (bench.mjs, watch-memory.mjs): long-term keys in
// [default] and session credentials in [default-mfa] valid for six more hours, so that the watch
// only waits.
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function idleHome(prefix) {
  const home = mkdtempSync(path.join(os.tmpdir(), prefix))
  mkdirSync(path.join(home, '.aws'))
  const until = new Date(Date.now() + (6 * 3_600_000)).toISOString().replace(/\.\d+Z$/, 'Z')
  writeFileSync(path.join(home, '.aws', 'credentials'), [
    '[default]',
    'aws_access_key_id = AKIABENCH',
    'aws_secret_access_key = bench',
    '',
    '[default-mfa]',
    'aws_access_key_id = ASIABENCH',
    'aws_secret_access_key = bench',
    'aws_session_token = bench',
    `expiration = ${until}`,
    '',
  ].join('\n'))
  return home
}
