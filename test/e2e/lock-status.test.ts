import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {
  botocoreView, getMoto, NoLockFs, PythonLockHolder, SUPPORT, tryLock, waitFor,
} from '../support/peers.js'
import {
  BIN, collect, DEFAULT_CREDENTIALS, LONG_TERM, Sandbox, SERIAL,
} from '../support/sandbox.js'
import {Terminal} from '../support/terminal.js'

const COUNTER = path.join(SUPPORT, 'count_signals.py')
const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

describe('lock -- COMMAND', () => {
  let box: Sandbox

  beforeEach(async () => {
    box = await Sandbox.create()
  })

  afterEach(() => box.cleanup())

  for (const kind of ['lockf', 'flock'] as const) {
    it(`waits while python3 fcntl.${kind} holds the lock, then runs COMMAND`, async () => {
      await fs.writeFile(box.lockFile, '')
      const marker = path.join(box.root, 'ran')
      const holder = await PythonLockHolder.hold(box.lockFile, kind)
      const done = collect(box.start(['lock', '--', 'touch', marker]))
      await sleep(1000)
      await assert.rejects(fs.access(marker), 'COMMAND ran while python held the lock')
      await holder.release()
      assert.equal((await done).code, 0)
      await fs.access(marker)
    })
  }

  it('gives up with 75 after --timeout, without running COMMAND', async () => {
    await fs.writeFile(box.lockFile, '')
    const marker = path.join(box.root, 'ran')
    const holder = await PythonLockHolder.hold(box.lockFile, 'lockf')
    try {
      const result = await box.run(['lock', '--timeout', '1', '--', 'touch', marker])
      assert.equal(result.code, 75)
      assert.match(result.stderr, /was not free within 1 s; held by python3? \(pid \d+\)/)
      await assert.rejects(fs.access(marker))
    } finally {
      await holder.release()
    }
  })

  it('exits 6 saying the file system cannot lock when the credentials file is on one without locks, without running COMMAND', async function () {
    if (!NoLockFs.available()) this.skip() // a FUSE mount needs root and /dev/fuse
    const mountPoint = path.join(box.root, 'nolock')
    await fs.mkdir(mountPoint)
    const mounted = await NoLockFs.mount(mountPoint, 'fcntl', 'ENOLCK')
    const marker = path.join(box.root, 'ran')
    try {
      const result = await box.run(['lock', '--timeout', '5', '--', 'touch', marker], {AWS_SHARED_CREDENTIALS_FILE: path.join(mountPoint, 'credentials')})
      assert.equal(result.code, 6, result.stderr)
      assert.match(result.stderr, new RegExp(`the file system of ${mountPoint} does not support file locks \\(ENOLCK from an fcntl lock`))
      assert.match(result.stderr, /AWS_SHARED_CREDENTIALS_FILE/)
      assert.doesNotMatch(result.stderr, /cannot open the lock file/)
      await assert.rejects(fs.access(marker))
    } finally {
      await mounted.unmount()
    }
  })

  it('holds both locks while COMMAND runs: its own non-blocking lockf and flock fail', async () => {
    for (const kind of ['lockf', 'flock']) {
      const result = await box.run(['lock', '--', 'python3', path.join(SUPPORT, 'hold_lock.py'), box.lockFile, `try-${kind}`])
      assert.equal(result.code, 0)
      assert.equal(result.stdout.trim(), 'busy', `${kind} got the lock inside mfa-creds lock`)
    }

    assert.equal(await tryLock(box.lockFile, 'lockf'), 'free')
    assert.equal(await tryLock(box.lockFile, 'flock'), 'free')
  })

  it('frees both locks when COMMAND exits, even if it left a child running (the lock fd is not inherited)', async () => {
    const pidFile = path.join(box.root, 'child.pid')
    const result = await box.run(['lock', '--', 'sh', '-c', `sleep 30 >/dev/null 2>&1 & echo $! > ${pidFile}`])
    assert.equal(result.code, 0, result.stderr)
    const child = Number(await fs.readFile(pidFile, 'utf8'))
    try {
      process.kill(child, 0)
      assert.deepEqual([await tryLock(box.lockFile, 'lockf'), await tryLock(box.lockFile, 'flock')], ['free', 'free'])
    } finally {
      process.kill(child, 'SIGKILL')
    }
  })

  it('passes COMMAND\'s status through: 0, 7, 127, 126, and 143 for a SIGTERM it passed on', async () => {
    assert.equal((await box.run(['lock', '--', 'true'])).code, 0)
    assert.equal((await box.run(['lock', '--', 'sh', '-c', 'exit 7'])).code, 7)
    const missing = await box.run(['lock', '--', 'no-such-command-here'])
    assert.equal(missing.code, 127)
    assert.match(missing.stderr, /no-such-command-here: command not found/)
    assert.equal((await box.run(['lock', '--', box.credentialsFile])).code, 126)
    // A program that is a symlink loop cannot run either: 126 and why, as a shell says, never an internal error.
    const loop = path.join(box.root, 'loop')
    await fs.symlink(loop, loop)
    const looped = await box.run(['lock', '--', loop])
    assert.equal(looped.code, 126, looped.stderr)
    assert.match(looped.stderr, /loop: cannot run it \(ELOOP\)/)
    assert.doesNotMatch(looped.stderr, /internal error/)
    assert.equal((await box.run(['lock'])).code, 2)

    const ready = path.join(box.root, 'ready')
    const child = box.start(['lock', '--', 'python3', COUNTER, ready, '30'])
    const done = collect(child)
    await waitFor(() => fs.access(ready).then(() => true, () => {}), 10_000, 'COMMAND to start')
    child.kill('SIGTERM')
    const result = await done
    assert.equal(result.code, 143)
    assert.equal(await tryLock(box.lockFile, 'lockf'), 'free')
    assert.equal(await tryLock(box.lockFile, 'flock'), 'free')
  })

  it('passes SIGINT and SIGHUP sent to it alone on to COMMAND, and survives them', async () => {
    const ready = path.join(box.root, 'ready')
    const child = box.start(['lock', '--', 'python3', COUNTER, ready, '2'])
    const done = collect(child)
    await waitFor(() => fs.access(ready).then(() => true, () => {}), 10_000, 'COMMAND to start')
    child.kill('SIGINT')
    await sleep(100)
    child.kill('SIGHUP')
    const result = await done
    assert.deepEqual(JSON.parse(result.stdout), {HUP: 1, INT: 1, QUIT: 0})
    assert.equal(result.code, 1, 'exit status is COMMAND\'s (one SIGINT)')
  })

  it('does not send a SIGINT typed at the terminal a second time', async () => {
    const ready = path.join(box.root, 'ready')
    // exec: the shell that script(1) starts must not be there to catch the SIGINT itself.
    const term = Terminal.open(`exec '${process.execPath}' '${BIN}' lock -- python3 '${COUNTER}' '${ready}' 2`, box.env())
    await waitFor(() => fs.access(ready).then(() => true, () => {}), 10_000, 'COMMAND to start')
    term.type('\u0003')
    assert.equal(await term.exit(), 1, `lock must survive and exit with COMMAND's status: ${term.output}`)
    assert.match(term.output, /"INT": 1/)
  })

  it('keeps an edit made under it when a refresh waits for the lock: aws configure set', async () => {
    const moto = await getMoto()
    const marker = path.join(box.root, 'locked')
    const editor = collect(box.start(['lock', '--', 'sh', '-c', `touch '${marker}'; sleep 1.5; aws configure set aws_access_key_id AKIAEDITEDUNDERLOCK --profile other`]))
    await waitFor(() => fs.access(marker).then(() => true, () => {}), 10_000, 'the editor to hold the lock')
    const refresh = collect(box.start(['refresh-once', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: moto.url}))
    const [edited, refreshed] = await Promise.all([editor, refresh])
    assert.equal(edited.code, 0, edited.stderr)
    assert.equal(refreshed.code, 0, refreshed.stderr)
    const [{view}] = await botocoreView(box.credentialsFile)
    assert.equal(view!.other.aws_access_key_id, 'AKIAEDITEDUNDERLOCK')
    assert.ok(view!['default-mfa'].aws_session_token)
    assert.deepEqual(view!.default, {aws_access_key_id: LONG_TERM.accessKeyId, aws_secret_access_key: LONG_TERM.secretAccessKey})
  })
})

describe('start-up: no AWS SDK where no STS call is made', () => {
  it('loads no SDK module for lock, status and any refresh (STS is called without it); with MFA_CREDS_STS_CLIENT=sdk a refresh does', async () => {
    const box = await Sandbox.create()
    try {
      const moto = await getMoto()
      const sdk = /(@aws-sdk|@smithy)\//
      const debug = {NODE_DEBUG: 'module'}
      assert.doesNotMatch((await box.run(['lock', '--', 'true'], debug)).stderr, sdk)
      const viaSdk = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--force'], {...debug, AWS_ENDPOINT_URL: moto.url, MFA_CREDS_STS_CLIENT: 'sdk'})
      assert.equal(viaSdk.code, 0, viaSdk.stderr)
      assert.match(viaSdk.stderr, sdk, 'the check must see the SDK when it is loaded')
      const refreshed = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--force'], {...debug, AWS_ENDPOINT_URL: moto.url, MFA_CREDS_STS_CLIENT: undefined})
      assert.equal(refreshed.code, 0, refreshed.stderr)
      assert.doesNotMatch(refreshed.stderr, sdk)
      assert.doesNotMatch((await box.run(['status'], debug)).stderr, sdk)
      assert.doesNotMatch((await box.run(['refresh-once', '--mfa-serial-number', SERIAL], debug)).stderr, sdk)
    } finally {
      await box.cleanup()
    }
  })
})

describe('status', () => {
  let box: Sandbox
  const iso = (offsetSeconds: number) => new Date(Date.now() + (offsetSeconds * 1000)).toISOString().replace(/\.\d+Z$/, 'Z')

  beforeEach(async () => {
    box = await Sandbox.create()
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n\n[profile work]\nmfa_serial = arn:aws:iam::123456789012:mfa/work\n`)
  })

  afterEach(() => box.cleanup())

  const profiles = (valid = 7200) => `${DEFAULT_CREDENTIALS}
[default-mfa]
aws_access_key_id = ASIADEFAULT
aws_secret_access_key = SECRETDEFAULT
aws_session_token = TOKENDEFAULT
expiration = ${iso(valid)}

[work]
aws_access_key_id = AKIAWORK
aws_secret_access_key = work

[work-mfa]
aws_secret_access_key = SECRETWORK
aws_session_token = TOKENWORK
expiration = 2026-11-24 00:00:00

[soon]
aws_access_key_id = ASIASOON
aws_secret_access_key = SECRETSOON
aws_session_token = TOKENSOON
expiration = ${iso(120)}

[seed-mfa]
aws_access_key_id = ASIASEED
`

  it('shows every managed profile with its state, and exits 1 when one has expired', async () => {
    await fs.writeFile(box.credentialsFile, profiles())
    const result = await box.run(['status'])
    assert.equal(result.code, 1, result.stderr)
    const lines = result.stdout.split('\n')
    assert.match(lines[0], /^PROFILE\s+SOURCE\s+KEYS\s+MFA SERIAL\s+EXPIRES\s+LEFT\s+STATE$/)
    assert.match(result.stdout, /^default-mfa\s+default\s+credentials-file\s+arn:aws:iam::123456789012:mfa\/alice\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+(1h 59m|2h 0m) left\s+valid$/m)
    assert.match(result.stdout, /^work-mfa\s+work\s+credentials-file\s+arn:aws:iam::123456789012:mfa\/work\s+2026-11-24 00:00:00 UTC\s+expired .* ago\s+expired$/m)
    assert.match(result.stdout, /^soon\s+-\s+-\s+-\s+.*left\s+refresh due$/m)
    assert.match(result.stdout, /^seed-mfa\s+-\s+-\s+-\s+-\s+-\s+unknown$/m)
    assert.match(result.stdout, /^Lock: free \(.*\.credentials\.lock\)$/m)
    assert.match(result.stdout, /^Watchers: none$/m)
    assert.ok(!result.stdout.includes('\u001B'), 'colours outside a terminal')
    for (const secret of ['SECRETDEFAULT', 'TOKENDEFAULT', 'SECRETWORK', 'TOKENWORK', 'SECRETSOON', 'TOKENSOON', LONG_TERM.secretAccessKey]) assert.ok(!result.stdout.includes(secret))

    const work = await box.run(['status', '-p', 'default'])
    assert.equal(work.code, 0)
    assert.doesNotMatch(work.stdout, /work-mfa/)
  })

  it('says the same in --json, with stable field names and no secret', async () => {
    await fs.writeFile(box.credentialsFile, profiles())
    const result = await box.run(['status', '--json'])
    assert.equal(result.code, 1)
    const report = JSON.parse(result.stdout)
    assert.deepEqual(Object.keys(report).sort(), ['configFile', 'credentialsFile', 'lock', 'profiles', 'watchers'])
    const byName = Object.fromEntries(report.profiles.map((p: {profile: string}) => [p.profile, p]))
    assert.deepEqual(Object.keys(byName).sort(), ['default-mfa', 'seed-mfa', 'soon', 'work-mfa'])
    assert.deepEqual(Object.keys(byName['default-mfa']).sort(), ['expiration', 'keys', 'mfaSerial', 'profile', 'secondsLeft', 'sourceProfile', 'state'])
    assert.equal(byName['default-mfa'].keys, 'credentials-file')
    assert.equal(byName['seed-mfa'].keys, null)
    assert.equal(byName['work-mfa'].expiration, '2026-11-24T00:00:00Z')
    assert.equal(byName['work-mfa'].state, 'expired')
    assert.equal(byName['seed-mfa'].state, 'unknown')
    assert.equal(byName.soon.state, 'refresh-due')
    assert.ok(byName['default-mfa'].secondsLeft > 7100)
    assert.deepEqual(report.lock.holders, [])
    for (const secret of ['SECRETDEFAULT', 'TOKENDEFAULT', 'SECRETWORK', 'TOKENWORK', 'SECRETSOON', 'TOKENSOON']) assert.ok(!result.stdout.includes(secret))

    await fs.writeFile(box.credentialsFile, profiles().replace(/\[work-mfa\][\s\S]*?\n\n/, ''))
    assert.equal((await box.run(['status', '--json'])).code, 0)
  })

  it('names the lock holder and the running watchers; forgets a watcher that died', async () => {
    await fs.writeFile(box.credentialsFile, profiles())
    await fs.writeFile(box.lockFile, '')
    const holder = await PythonLockHolder.hold(box.lockFile, 'flock')
    const watch = box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: 'http://127.0.0.1:9'})
    try {
      await waitFor(async () => ((await fs.readdir(path.join(box.aws, '.mfa-creds')).catch(() => [])).some(f => /^watch-\d+\.json$/.test(f)) || undefined), 10_000, 'the watcher to register')
      const result = await box.run(['status', '--json'])
      const report = JSON.parse(result.stdout)
      assert.equal(report.lock.held, true)
      assert.match(report.lock.holders[0].command, /python/)
      assert.deepEqual(report.watchers.map((w: {pid: number; targets: unknown}) => [w.pid, w.targets]), [[watch.pid, [{profile: 'default', target: 'default-mfa'}]]])
      const text = await box.run(['status'])
      assert.match(text.stdout, /^Lock: held by python3? \(pid \d+\)/m)
      assert.match(text.stdout, new RegExp(`^Watcher: pid ${watch.pid} watching default-mfa since `, 'm'))
    } finally {
      await holder.release()
    }

    watch.kill('SIGKILL')
    await new Promise(resolve => {
      watch.once('exit', resolve)
    })
    const after = JSON.parse((await box.run(['status', '--json'])).stdout)
    assert.deepEqual(after.watchers, [])
    assert.deepEqual((await fs.readdir(path.join(box.aws, '.mfa-creds'))).filter(f => f.startsWith('watch-')), [])
  })

  it('lists only the watchers of its own credentials file, not of another one in the same directory', async () => {
    await fs.writeFile(box.credentialsFile, profiles())
    const other = path.join(box.aws, 'other-credentials')
    await fs.writeFile(other, profiles(), {mode: 0o600})
    const watch = box.start(['watch', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_SHARED_CREDENTIALS_FILE: other})
    try {
      await waitFor(async () => ((await fs.readdir(path.join(box.aws, '.mfa-creds')).catch(() => [])).some(f => /^watch-\d+\.json$/.test(f)) || undefined), 10_000, 'the watcher to register')
      assert.deepEqual(JSON.parse((await box.run(['status', '--json'])).stdout).watchers, [])
      const own = JSON.parse((await box.run(['status', '--json'], {AWS_SHARED_CREDENTIALS_FILE: other})).stdout)
      assert.deepEqual(own.watchers.map((w: {pid: number}) => w.pid), [watch.pid])
    } finally {
      watch.kill('SIGKILL')
      await new Promise(resolve => {
        watch.once('exit', resolve)
      })
    }
  })

  it('uses colours in a terminal, and none with NO_COLOR', async () => {
    await fs.writeFile(box.credentialsFile, profiles())
    const coloured = Terminal.open(`'${process.execPath}' '${BIN}' status; echo done`, box.env())
    await coloured.waitFor(/done/)
    assert.match(coloured.output, /\u001B\[32mvalid/)
    assert.match(coloured.output, /\u001B\[31mexpired/)
    const plain = Terminal.open(`'${process.execPath}' '${BIN}' status; echo done`, box.env({NO_COLOR: '1'}))
    await plain.waitFor(/done/)
    assert.ok(!plain.output.includes('\u001B['))
  })

  it('a role target: SOURCE is the role profile, MFA SERIAL the role\'s or its source_profile\'s; -p ROLE shows it; -p NOWHERE exits 6', async () => {
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n
[profile dev-admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\nsource_profile = default\n
[profile prod-readonly]\nrole_arn = arn:aws:iam::222222222222:role/readonly\nsource_profile = default\nmfa_serial = arn:aws:iam::123456789012:mfa/prod\n
[profile spare]\nregion = eu-west-1\n`)
    const session = (name: string) => `\n[${name}]\naws_access_key_id = ASIA${name.length}\naws_secret_access_key = S\naws_session_token = T\nexpiration = ${iso(3600)}\n`
    await fs.writeFile(box.credentialsFile, `${DEFAULT_CREDENTIALS}${session('default-mfa')}${session('dev-admin-mfa')}${session('prod-readonly-mfa')}`)
    const all = await box.run(['status'])
    assert.equal(all.code, 0, all.stderr)
    assert.match(all.stdout, new RegExp(String.raw`^dev-admin-mfa\s+dev-admin\s+credentials-file\s+${SERIAL}\s+.*left\s+valid$`, 'm'))
    assert.match(all.stdout, /^prod-readonly-mfa\s+prod-readonly\s+credentials-file\s+arn:aws:iam::123456789012:mfa\/prod\s+.*left\s+valid$/m)
    const json = JSON.parse((await box.run(['status', '--json'])).stdout)
    assert.deepEqual(json.profiles.map((p: {mfaSerial: string; profile: string; sourceProfile: string}) => [p.profile, p.sourceProfile, p.mfaSerial]), [
      ['default-mfa', 'default', SERIAL], ['dev-admin-mfa', 'dev-admin', SERIAL], ['prod-readonly-mfa', 'prod-readonly', 'arn:aws:iam::123456789012:mfa/prod'],
    ])

    const role = await box.run(['status', '-p', 'dev-admin'])
    assert.equal(role.code, 0, role.stderr)
    assert.match(role.stdout, /^dev-admin-mfa\s+dev-admin\s/m)
    assert.doesNotMatch(role.stdout, /No MFA profiles|default-mfa|prod-readonly-mfa/)

    const spare = await box.run(['status', '-p', 'spare'])
    assert.equal(spare.code, 0, spare.stderr)
    assert.match(spare.stdout, /^No MFA profiles refreshed from spare yet \(run: mfa-creds refresh-once -p spare\)\.$/m)

    for (const args of [['status', '-p', 'nowhere'], ['status', '-p', 'nowhere', '--json']]) {
      const nowhere = await box.run(args)
      assert.equal(nowhere.code, 6, nowhere.stderr)
      const message = args.includes('--json') ? JSON.parse(nowhere.stdout).error.message : nowhere.stderr
      assert.match(message, /no profile nowhere: it is not in .*credentials, not in .*config, and no watcher refreshes it/)
    }
  })

  it('KEYS says where each profile\'s long-term keys live, a role\'s by its source_profile, never the keys', async () => {
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = keyring\n
[profile ci]\nmfa_serial = ${SERIAL}\nmfa_creds_source = command\nmfa_creds_source_command = op read op://ci/aws\n
[profile dev-admin]\nrole_arn = arn:aws:iam::111111111111:role/admin\nsource_profile = ci\n`)
    const session = (name: string) => `[${name}]\naws_access_key_id = ASIA${name.length}\naws_secret_access_key = S\naws_session_token = T\nexpiration = ${iso(3600)}\n`
    await fs.writeFile(box.credentialsFile, ['default-mfa', 'ci-mfa', 'dev-admin-mfa'].map(n => session(n)).join('\n'))
    const text = await box.run(['status'])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^default-mfa\s+default\s+keyring\s/m)
    assert.match(text.stdout, /^ci-mfa\s+ci\s+command\s/m)
    assert.match(text.stdout, /^dev-admin-mfa\s+dev-admin\s+command\s/m)
    assert.doesNotMatch(text.stdout, /op:\/\/ci/, 'a source\'s options stay out of status')
    const json = JSON.parse((await box.run(['status', '--json'])).stdout)
    assert.deepEqual(json.profiles.map((p: {keys: string; profile: string}) => [p.profile, p.keys]), [['default-mfa', 'keyring'], ['ci-mfa', 'command'], ['dev-admin-mfa', 'command']])
  })

  it('exits 6 with the line named when the credentials file cannot be read', async () => {
    await fs.writeFile(box.credentialsFile, '[a]\nk = 1\n[a]\n')
    const result = await box.run(['status'])
    assert.equal(result.code, 6)
    assert.match(result.stderr, /line 3: section \[a\] appears twice/)
  })
})
