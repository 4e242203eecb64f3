/** The sdk's runner, what its callers cannot see from outside: where the program's stdin comes from. */
import assert from 'node:assert/strict'

import {runInOwnGroup} from '../../packages/sdk/src/own-group.js'

describe('runInOwnGroup: stdin', () => {
  it('is /dev/null without input', async () => {
    const outcome = await runInOwnGroup('/bin/sh', ['-c', 'readlink /proc/self/fd/0; cat'])
    assert.deepEqual(outcome, {
      code: 0, signal: null, stderr: '', stdout: '/dev/null\n', type: 'exited',
    })
  })

  it('carries input, then closes: the program reads all of it and sees the end', async () => {
    const input = 'line one\nline two without a newline'
    const outcome = await runInOwnGroup('/bin/sh', ['-c', 'cat; echo "<end>"'], {input})
    assert.deepEqual(outcome, {
      code: 0, signal: null, stderr: '', stdout: `${input}<end>\n`, type: 'exited',
    })
    // More than a pipe holds: written as the program reads.
    const big = 'x'.repeat(1_000_000)
    const counted = await runInOwnGroup('/usr/bin/wc', ['-c'], {input: big})
    assert.equal(counted.type === 'exited' && counted.stdout.trim(), '1000000')
  })

  it('settles when the program exits without reading it (EPIPE is no error of ours)', async () => {
    const outcome = await runInOwnGroup('/bin/sh', ['-c', 'exit 3'], {input: 'y'.repeat(1_000_000)})
    assert.equal(outcome.type, 'exited')
    assert.equal(outcome.type === 'exited' && outcome.code, 3)
    const missing = await runInOwnGroup('/nonexistent/program', [], {input: 'secret'})
    assert.equal(missing.type, 'spawn-failed')
  })
})
