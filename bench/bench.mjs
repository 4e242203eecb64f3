#!/usr/bin/env node
// Benchmarks that print figures (they are not tests): run with `npm run bench`.
//
// watch idle: a `watch` whose credentials are valid for hours sits idle. Its CPU time (utime +
// stime from /proc/PID/stat) is measured over BENCH_IDLE_SECONDS (default 60) once it has
// settled, and its resident memory (VmRSS, and the peak VmHWM) read from /proc/PID/status. V8
// shrinks its heap once, some 7-11 s after start-up; that one-off cost is reported on its own
// (the first SETTLE_SECONDS after the first log line) rather than hidden or spread over the minute.
import {execFileSync, spawn} from 'node:child_process'
import {once} from 'node:events'
import {
  mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = path.join(root, 'bin', 'run.js')
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60)
const CLK_TCK = 100 // Linux's USER_HZ for /proc/PID/stat
const SETTLE_SECONDS = 15

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
}

function memoryKiB(pid, key) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith(`${key}:`))
  return Number(line.split(/\s+/)[1])
}

async function watchIdle() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
  try {
    mkdirSync(path.join(home, '.aws'))
    const until = new Date(Date.now() + (6 * 3_600_000)).toISOString().replace(/\.\d+Z$/, 'Z')
    const credentials = [
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
    ]
    writeFileSync(path.join(home, '.aws', 'credentials'), credentials.join('\n'))
    const child = spawn(process.execPath, [bin, 'watch', '--mfa-serial-number', 'arn:aws:iam::123456789012:mfa/bench'], {
      env: {HOME: home, PATH: process.env.PATH},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let log = ''
    child.stderr.on('data', c => {
      log += c
    })
    while (!/valid until/.test(log)) await sleep(50)
    const started = cpuMs(child.pid)
    await sleep(SETTLE_SECONDS * 1000)
    const cpu0 = cpuMs(child.pid)
    await sleep(idleSeconds * 1000)
    const cpu = cpuMs(child.pid) - cpu0
    const rss = memoryKiB(child.pid, 'VmRSS') / 1024
    const peak = memoryKiB(child.pid, 'VmHWM') / 1024
    child.kill('SIGTERM')
    await once(child, 'exit')
    return {
      cpuPerMinute: (cpu * 60) / idleSeconds, peak, rss, settle: cpu0 - started,
    }
  } finally {
    rmSync(home, {force: true, recursive: true})
  }
}

function answers(url) {
  return new Promise(resolve => {
    http.get(url, res => {
      res.resume()
      resolve(res.statusCode === 200)
    }).on('error', () => resolve(false))
  })
}

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const {port} = server.address()
  server.close()
  return port
}

const median = values => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]
const percentile = (values, p) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]

/** Wall-clock seconds of a whole process, median of `runs` after one warm-up run. */
function processSeconds(args, env, runs = 7, cwd = root) {
  const times = []
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint()
    execFileSync(args[0], args.slice(1), {cwd, env, stdio: 'ignore'})
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e9)
  }

  return median(times)
}

/** Wall-clock seconds of one command under each env, runs interleaved (the order alternating), medians; after one warm-up round. */
function interleavedSeconds(args, envs, runs) {
  const times = envs.map(() => [])
  for (let i = 0; i <= runs; i++) {
    const order = envs.map((_, k) => k)
    if (i % 2) order.reverse()
    for (const k of order) {
      const start = process.hrtime.bigint()
      execFileSync(args[0], args.slice(1), {cwd: root, env: envs[k], stdio: 'ignore'})
      if (i > 0) times[k].push(Number(process.hrtime.bigint() - start) / 1e9)
    }
  }

  return times.map(t => median(t))
}

// refresh-once, end to end against moto_server: a forced refresh (ssh-askpass answering at once),
// wall-clock time of the whole process, with STS called by our own client and (interleaved) by
// the AWS SDK (MFA_CREDS_STS_CLIENT=sdk); next to it the same GetSessionToken round trip made by a
// bare script with the SDK alone (no settings, no lock, no file), and `aws configure set` run
// three times (key, secret, token), which is how scripts without mfa-creds write the same keys.
async function refreshOnceRun() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
  const port = await freePort()
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: 'ignore'})
  try {
    mkdirSync(path.join(home, '.aws'))
    writeFileSync(path.join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIABENCH\naws_secret_access_key = bench\n')
    writeFileSync(path.join(home, 'askpass'), '#!/bin/sh\necho 123456\n', {mode: 0o755})
    const url = `http://127.0.0.1:${port}`
    const env = {
      AWS_ENDPOINT_URL: url, HOME: home, PATH: process.env.PATH, SSH_ASKPASS: path.join(home, 'askpass'), SSH_ASKPASS_REQUIRE: 'force',
    }
    for (let ready = false; !ready;) {
      await sleep(200)
      ready = await answers(`${url}/moto-api/`)
    }

    const refreshArgs = [process.execPath, bin, 'refresh-once', '--force', '--mfa-serial-number', 'arn:aws:iam::123456789012:mfa/bench']
    const [ours, oursViaSdk] = interleavedSeconds(refreshArgs, [env, {...env, MFA_CREDS_STS_CLIENT: 'sdk'}], 15)
    const bare = `process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const {STSClient, GetSessionTokenCommand} = await import('@aws-sdk/client-sts')
const client = new STSClient({region: 'us-east-1', endpoint: '${url}', credentials: {accessKeyId: 'AKIABENCH', secretAccessKey: 'bench'}})
await client.send(new GetSessionTokenCommand({SerialNumber: 'arn:aws:iam::123456789012:mfa/bench', TokenCode: '123456'}))`
    const sdk = processSeconds([process.execPath, '--input-type=module', '-e', bare], env)
    const awsEnv = {...env, AWS_CONFIG_FILE: path.join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials')}
    const configureSet = median(Array.from({length: 5}, () => ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token']
      .map(key => processSeconds(['aws', 'configure', 'set', key, 'bench-value', '--profile', 'bench-mfa'], awsEnv, 1)).reduce((x, y) => x + y)))
    return {
      configureSet, ours, oursViaSdk, sdk,
    }
  } finally {
    moto.kill()
    rmSync(home, {force: true, recursive: true})
  }
}

/** Generation n of the session credentials the write benchmark writes (each later than the one before). */
const session = n => ({
  accessKeyId: `ASIABENCH${n}`, expiration: new Date(Date.now() + 3_600_000 + (n * 1000)), secretAccessKey: `bench/secret+${n}`, sessionToken: `FwoGZXIvYXdz${'x'.repeat(400)}${n}==`,
})

// The write alone, in this process, through the credentials-file writer itself: files of 100,
// 1,000 and 10,000 profiles (median of 21 writes each, a profile in the middle), and how long the
// lock is held per write (200 writes to the 100-profile file: median and p99).
async function writeRun() {
  const {CredentialsFileWriter} = await import(path.join(root, 'dist', 'writers', 'credentials-file.js'))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
  try {
    const sizes = {}
    const holds = []
    let generation = 0
    for (const size of [100, 1000, 10_000]) {
      const file = path.join(dir, `credentials-${size}`)
      const lines = []
      for (let i = 0; i < size; i++) lines.push(`[p${i}]`, `aws_access_key_id = AKIA${String(i).padStart(16, '0')}`, `aws_secret_access_key = secret/${i}`, 'region = eu-west-1', '')
      writeFileSync(file, lines.join('\n'), {mode: 0o600})
      const writer = new CredentialsFileWriter(file)
      const times = []
      const runs = size === 100 ? 200 : 21
      for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint()
        await writer.write({credentials: session(++generation), onLockHeld: ms => size === 100 && holds.push(ms), targetProfile: `p${size / 2}-mfa`})
        times.push(Number(process.hrtime.bigint() - start) / 1e6)
      }

      sizes[size] = median(times)
    }

    return {holdMedian: median(holds), holdP99: percentile(holds, 99), sizes}
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}

// Start-up: medians of 15 interleaved runs each of `node -e 0`, `lock -- true`, `status` and
// `--help`, in a HOME with a small credentials file.
function startup() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
  try {
    mkdirSync(path.join(home, '.aws'))
    writeFileSync(path.join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIABENCH\naws_secret_access_key = bench\n')
    const env = {HOME: home, PATH: process.env.PATH}
    const cases = {
      '--help': [bin, '--help'], 'lock -- true': [bin, 'lock', '--', 'true'], 'node -e 0': ['-e', '0'], status: [bin, 'status'],
    }
    const times = Object.fromEntries(Object.keys(cases).map(k => [k, []]))
    for (let i = 0; i < 16; i++) {
      for (const [name, args] of Object.entries(cases)) {
        const start = process.hrtime.bigint()
        execFileSync(process.execPath, args, {env, stdio: 'ignore'})
        if (i > 0) times[name].push(Number(process.hrtime.bigint() - start) / 1e6)
      }
    }

    return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]]))
  } finally {
    rmSync(home, {force: true, recursive: true})
  }
}

const start = startup()
const refresh = await refreshOnceRun()
const write = await writeRun()
const idle = await watchIdle()

const rows = []
const row = (what, value, goal, ok) => {
  rows.push({
    goal, ok, value, what,
  })
  console.log(`${what.padEnd(52)} ${value.padStart(22)}   goal ${goal.padEnd(12)} ${ok === undefined ? '' : (ok ? 'met' : 'MISSED')}`)
}

const machine = `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), ${os.platform()} ${os.release()}`
console.log(`${machine}; watch idle for ${idleSeconds} s`)
for (const name of ['lock -- true', 'status', '--help']) {
  row(`start-up: ${name}`, `${start[name].toFixed(0)} ms (x${(start[name] / start['node -e 0']).toFixed(1)} node -e 0)`, 'x <= 6', start[name] / start['node -e 0'] <= 6)
}

row('start-up: node -e 0 (the floor)', `${start['node -e 0'].toFixed(0)} ms`, '-')
row('refresh-once against moto, whole process', `${refresh.ours.toFixed(2)} s`, '< 1 s', refresh.ours < 1)
row('refresh-once, STS through the AWS SDK (MFA_CREDS_STS_CLIENT=sdk)', `${refresh.oursViaSdk.toFixed(2)} s`, '-')
row('time our own STS client saves per refresh', `${((refresh.oursViaSdk - refresh.ours) * 1000).toFixed(0)} ms`, '-')
row('bare SDK GetSessionToken script, whole process', `${refresh.sdk.toFixed(2)} s`, '-')
row('our overhead over the bare SDK round trip', `x${(refresh.ours / refresh.sdk).toFixed(2)}`, '-')
row('aws configure set x3 (key, secret, token)', `${refresh.configureSet.toFixed(2)} s`, '-')
row('refresh-once vs aws configure set x3', `x${(refresh.ours / refresh.configureSet).toFixed(2)}`, 'x < 1', refresh.ours < refresh.configureSet)
for (const [size, ms] of Object.entries(write.sizes)) {
  row(`one write (read, edit, prove, fsync, lock, rename): ${Number(size).toLocaleString('en')} profiles`, `${ms.toFixed(1)} ms`, size === '10000' ? '<= 50 ms' : '-', size === '10000' ? ms <= 50 : undefined)
}

const growth = (write.sizes[10_000] - write.sizes[100]) / (10_000 - 100)
row('growth from 100 to 10,000 profiles', `${(growth * 1000).toFixed(1)} µs/profile`, 'linear')
row('10,000 vs 1,000 profiles (10x the file)', `x${(write.sizes[10_000] / write.sizes[1000]).toFixed(1)}`, 'x <= 10', write.sizes[10_000] / write.sizes[1000] <= 10)
row('lock held per write, median', `${write.holdMedian.toFixed(2)} ms`, '<= 10 ms', write.holdMedian <= 10)
row('lock held per write, p99', `${write.holdP99.toFixed(2)} ms`, '<= 10 ms', write.holdP99 <= 10)
row('watch idle: resident memory (VmRSS)', `${idle.rss.toFixed(1)} MiB`, '<= 70 MiB', idle.rss <= 70)
row('watch idle: peak resident memory (VmHWM)', `${idle.peak.toFixed(1)} MiB`, '-')
row('watch idle: CPU time per minute', `${idle.cpuPerMinute.toFixed(0)} ms`, '<= 60 ms', idle.cpuPerMinute <= 60)
row(`watch: CPU once in the first ${SETTLE_SECONDS} s (V8 heap shrink)`, `${idle.settle.toFixed(0)} ms`, '-')

const table = rows.map(r => `| ${r.what} | ${r.value} | ${r.goal} | ${r.ok === undefined ? '' : (r.ok ? 'met' : '**missed**')} |`).join('\n')
writeFileSync(path.join(root, 'BENCHMARKS.md'), `# mfa-creds benchmarks

Written by \`npm run bench\` (bench/bench.mjs) on ${new Date().toISOString().slice(0, 10)}: ${machine}.
Every figure is measured again on each run; the targets are the project's goals.

| what | measured | target | |
| --- | --- | --- | --- |
${table}

## Method

- **Start-up**: 15 interleaved runs each (after one warm-up round) of \`node -e 0\`, \`mfa-creds lock -- true\`,
  \`mfa-creds status\` and \`mfa-creds --help\`, in a HOME with a small credentials file; medians of
  wall-clock process time. The ratio is to \`node -e 0\`, the cost of starting Node at all.
- **refresh-once**: \`refresh-once --force\` against a local moto_server (ssh-askpass answering at
  once), whole process, median of 15 after a warm-up round, interleaved with the same run with
  \`MFA_CREDS_STS_CLIENT=sdk\` (STS through @aws-sdk/client-sts, not our own Query client). The same GetSessionToken round trip by a
  bare script that only loads @aws-sdk/client-sts and sends the request gives our overhead as a
  ratio. \`aws configure set\` run three times (key id, secret, token: what a script without
  mfa-creds must do to write the same keys, unlocked) is timed the same way, 5 triplets, median.
- **One write**: the credentials-file writer called in-process, median of 21 writes on files of
  100, 1,000 and 10,000 profiles (3 keys each), the target in the middle. Before the lock: read
  and parse the whole file as botocore would, decide, edit the target section, prove the edit by
  parsing that section and the header after it, write the temp file and fsync it. Under the lock:
  read the file again and, as nobody changed it, rename the temp file over it (a changed file
  would be edited again under the lock). After the release: fsync the directory.
- **Lock hold time**: from the moment flock and fcntl are both held to their release (closing the
  lock file), reported by the lock itself, over 200 writes to the 100-profile file: median and
  99th percentile.
- **watch idle**: a watch whose credentials are valid for 6 hours; CPU time (utime + stime from
  /proc/PID/stat) over ${idleSeconds} s after ${SETTLE_SECONDS} s of settling, and VmRSS/VmHWM from /proc/PID/status.
  V8 shrinks its heap once, some 7-11 s after start-up: that one-off cost is shown on its own line.
`)
console.log('written: BENCHMARKS.md')
