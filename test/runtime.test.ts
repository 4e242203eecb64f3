/**
 * The Node these tests run on: .ci/run runs part of the suite a second time under another major
 * (MFA_CREDS_TEST_NODE=24), and this proves the run really was on it, in mocha's own workers and
 * in the CLI children they start (both process.execPath).
 */
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {ROOT} from './support/peers.js'

const execFileP = promisify(execFile)
const {engines} = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {engines: {node: string}}

describe('the Node the tests run on', () => {
  const major = Number(process.versions.node.split('.')[0])

  it('is the major asked for (MFA_CREDS_TEST_NODE), else one the package supports', () => {
    if (process.env.MFA_CREDS_TEST_NODE) assert.equal(major, Number(process.env.MFA_CREDS_TEST_NODE), `running on ${process.version}`)
    else assert.ok(major >= Number(/\d+/.exec(engines.node)![0]), `running on ${process.version}; the package wants ${engines.node}`)
  })

  it('is the one the CLI runs on in the end-to-end tests', async () => {
    const {stdout} = await execFileP(process.execPath, [path.join(ROOT, 'bin', 'run.js'), '--version'])
    assert.match(stdout, new RegExp(` node-${process.version.replaceAll('.', String.raw`\.`)}\\n$`))
  })
})
