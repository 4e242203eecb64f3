/**
 * Writers that ignore the lock and rewrite the credentials file in place (truncate, then write),
 * as `aws configure set`, editors and scripts do: a real second process (in_place_writer.py) that
 * stops half-way while mfa-creds writes. mfa-creds must never rename that half-written state
 * over the path: the rest of the other writer's bytes would land on the orphaned inode.
 */
import assert from 'node:assert/strict'
import {ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {lockHolders} from '../../src/core/files/lock.js'
import {
  botocoreView, StsStub, SUPPORT, waitFor,
} from '../support/peers.js'
import {
  collect, LONG_TERM, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

const BEFORE = `[other]
aws_access_key_id = AKIAOTHEROTHER
aws_secret_access_key = other/secret
region = eu-west-1

[default]
aws_access_key_id = ${LONG_TERM.accessKeyId}
aws_secret_access_key = ${LONG_TERM.secretAccessKey}
`
/** What the other writer rewrites the file to (`aws configure set region eu-west-2 --profile other`). */
const AFTER = BEFORE.replace('eu-west-1', 'eu-west-2')
/** Where it pauses: everything before [default], so the half-written file lacks the source's keys. */
const CUT = AFTER.indexOf('[default]')

/** An askpass that answers only once the test opens its gate (a file). */
const GATED_ASKPASS = `#!/bin/sh
printf '%s\\n' "$1" >> "$ASKPASS_LOG"
while [ ! -e "$GATE" ]; do sleep 0.02; done
echo 123456
`

interface Scene {
  box: Sandbox
  cli: ChildProcess
  done: Promise<RunResult>
  exited: () => boolean
  gate: string
  go: string
  ready: string
  stub: StsStub
}

async function startScene(extraArgs: string[] = []): Promise<Scene> {
  const box = await Sandbox.create(BEFORE)
  const stub = await StsStub.start()
  await fs.writeFile(box.configFile, '[default]\nregion = us-east-1\n')
  const askpass = path.join(box.root, 'gated-askpass.sh')
  await fs.writeFile(askpass, GATED_ASKPASS, {mode: 0o755})
  const gate = path.join(box.root, 'gate')
  const cli = box.start(['refresh-once', '--mfa-serial-number', SERIAL, ...extraArgs], {AWS_ENDPOINT_URL: stub.url, GATE: gate, SSH_ASKPASS: askpass})
  let exited = false
  const done = collect(cli).finally(() => {
    exited = true
  })
  await waitFor(async () => (await box.askpassCalls()).length === 1, 30_000, 'the prompt')
  return {
    box, cli, done, exited: () => exited, gate, go: path.join(box.root, 'go'), ready: path.join(box.root, 'ready'), stub,
  }
}

/** Starts the in-place writer and waits until it has truncated the file and written the first part. */
async function rewriteHalfway(scene: Scene, go: string, cut = CUT): Promise<ChildProcess> {
  const content = path.join(scene.box.root, 'after')
  await fs.writeFile(content, AFTER)
  const writer = spawn('python3', [path.join(SUPPORT, 'in_place_writer.py'), scene.box.credentialsFile, content, String(cut), scene.ready, go], {stdio: 'inherit'})
  await waitFor(() => fs.access(scene.ready).then(() => true, () => false), 30_000, 'the writer to be half-way')
  return writer
}

/** Waits until the CLI holds the protocol lock (it is waiting, under the lock, for the file) or has ended. */
async function lockedOrEnded(scene: Scene): Promise<void> {
  await waitFor(async () => scene.exited() || (await lockHolders(scene.box.lockFile)).some(h => h.pid === scene.cli.pid), 30_000, 'the CLI to take the lock')
}

async function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
}

/**
 * The writer stops at `cut`; the code is typed; once the CLI waits under the lock (or has ended,
 * as a CLI that does not wait would), the writer finishes. The CLI must then succeed: the file as
 * botocore reads it after both writes.
 */
async function finishedWhileWaiting(scene: Scene, cut: number): Promise<Record<string, Record<string, unknown>> | undefined> {
  const writer = await rewriteHalfway(scene, scene.go, cut)
  await fs.writeFile(scene.gate, '')
  await lockedOrEnded(scene)
  await fs.writeFile(scene.go, '')
  await ended(writer)
  const result = await scene.done
  assert.equal(result.code, 0, result.stderr)
  const [{view}] = await botocoreView(scene.box.credentialsFile)
  assert.deepEqual(await tempFiles(scene.box), [])
  return view
}

async function tempFiles(box: Sandbox): Promise<string[]> {
  return (await fs.readdir(box.aws)).filter(name => name.endsWith('.tmp'))
}

describe('a writer that rewrites the file in place, ignoring the lock', () => {
  let scene: Scene | undefined

  afterEach(async () => {
    if (!scene) return
    await fs.writeFile(scene.go, '').catch(() => {})
    scene.cli.kill('SIGKILL')
    await scene.stub.stop()
    await scene.box.cleanup()
    scene = undefined
  })

  it('paused half-way while we write: we wait for it to finish, and nothing of either write is lost', async function () {
    this.timeout(90_000)
    scene = await startScene(['--lock-timeout', '60'])
    const view = await finishedWhileWaiting(scene, CUT)
    assert.deepEqual(view?.default, {aws_access_key_id: LONG_TERM.accessKeyId, aws_secret_access_key: LONG_TERM.secretAccessKey}, 'the source profile was lost')
    assert.equal(view?.other.region, 'eu-west-2', "the other writer's change was lost")
    assert.equal(view?.['default-mfa']?.aws_access_key_id, 'ASIASTUBSTUBSTUB0001', JSON.stringify(view))
  })

  it('paused in the middle of the last value, every section and key already there: we wait for the rest too', async function () {
    this.timeout(90_000)
    scene = await startScene(['--lock-timeout', '60'])
    const view = await finishedWhileWaiting(scene, AFTER.length - 10)
    assert.equal(view?.default.aws_secret_access_key, LONG_TERM.secretAccessKey, 'a cut secret was published')
    assert.equal(view?.['default-mfa']?.aws_access_key_id, 'ASIASTUBSTUBSTUB0001')
  })

  it('left cut in the middle of a line (the writer closed the file): never taken as settled, exit 75, the file as it was left', async function () {
    this.timeout(90_000)
    scene = await startScene(['--lock-timeout', '3'])
    const writer = await rewriteHalfway(scene, '-', AFTER.length - 10)
    await ended(writer)
    await fs.writeFile(scene.gate, '')
    const result = await scene.done
    assert.equal(result.code, 75, result.stderr)
    assert.match(result.stderr, /ends in the middle of a line/)
    assert.equal(await scene.box.readCredentials(), AFTER.slice(0, -10))
    assert.deepEqual(await tempFiles(scene.box), [])
  })

  it('left half-written without the source profile: refused (exit 6), the file as that writer left it', async function () {
    this.timeout(90_000)
    scene = await startScene(['--lock-timeout', '60'])
    const writer = await rewriteHalfway(scene, '-')
    await ended(writer)
    await fs.writeFile(scene.gate, '')
    const result = await scene.done
    assert.equal(result.code, 6, result.stderr)
    assert.match(result.stderr, /\[default\] has lost its long-term keys .* another program is rewriting the file/)
    assert.equal(await scene.box.readCredentials(), AFTER.slice(0, CUT))
    assert.deepEqual(await tempFiles(scene.box), [])
  })

  it('still half-way when the lock timeout ends: exit 75 naming the writer; its write then lands whole', async function () {
    this.timeout(90_000)
    scene = await startScene(['--lock-timeout', '2'])
    const writer = await rewriteHalfway(scene, scene.go)
    await fs.writeFile(scene.gate, '')
    const result = await scene.done
    await fs.writeFile(scene.go, '')
    await ended(writer)
    assert.equal(result.code, 75, result.stderr)
    assert.match(result.stderr, /being rewritten in place by another program \(python3, pid \d+\) that does not take the lock/)
    assert.equal(await scene.box.readCredentials(), AFTER)
    assert.deepEqual(await tempFiles(scene.box), [])
  })

  it('a section its owner removes for good while the code is asked for stays removed', async function () {
    this.timeout(90_000)
    scene = await startScene()
    const without = AFTER.slice(CUT)
    const temp = path.join(scene.box.aws, 'credentials.editor')
    await fs.writeFile(temp, without)
    await fs.rename(temp, scene.box.credentialsFile)
    await fs.writeFile(scene.gate, '')
    const result = await scene.done
    assert.equal(result.code, 0, result.stderr)
    const [{view}] = await botocoreView(scene.box.credentialsFile)
    assert.deepEqual(Object.keys(view ?? {}).sort(), ['default', 'default-mfa'])
  })
})
