import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {ROOT, tryLock} from '../../support/peers.js'

const execFileP = promisify(execFile)

describe('libc: the lock calls through koffi', () => {
  let dir: string

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-libc-'))
  })

  afterEach(() => fs.rm(dir, {force: true, recursive: true}))

  it('serves the first calls of a fresh process made at once (watch locks several profiles together), and they hold against python', async () => {
    // A process of its own: koffi is loaded on the first call, and these are all first calls.
    const script = `import fs from 'node:fs'
import {fcntlWriteLock, flock} from ${JSON.stringify(path.join(ROOT, 'src', 'core', 'files', 'libc.ts'))}
const [a, b, c] = ['a', 'b', 'c'].map(n => fs.openSync(${JSON.stringify(dir)} + '/' + n, 'w'))
await Promise.all([flock(a, 'exnb'), fcntlWriteLock(b), flock(c, 'exnb'), fcntlWriteLock(c)])
process.stdout.write('locked\\n')
await new Promise(resolve => process.stdin.once('data', resolve))`
    const child = execFileP(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: ROOT, timeout: 60_000})
    const said = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.child.stdout!.on('data', chunk => {
        out += chunk
        if (out.includes('locked')) resolve(out)
      })
      child.catch(reject)
    })
    assert.match(said, /locked/)
    assert.equal(await tryLock(path.join(dir, 'a'), 'flock'), 'busy')
    assert.equal(await tryLock(path.join(dir, 'b'), 'lockf'), 'busy')
    assert.equal(await tryLock(path.join(dir, 'c'), 'flock'), 'busy')
    assert.equal(await tryLock(path.join(dir, 'c'), 'lockf'), 'busy')
    child.child.stdin!.end('done\n')
    await child
  })
})
