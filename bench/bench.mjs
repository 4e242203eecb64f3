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

// refresh-once, end to end against moto_server: a forced refresh (ssh-askpass answering at once),
// median of 7 runs, wall-clock time of the whole process.
async function refreshOnceRun() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
  const port = await freePort()
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: 'ignore'})
  try {
    mkdirSync(path.join(home, '.aws'))
    writeFileSync(path.join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIABENCH\naws_secret_access_key = bench\n')
    writeFileSync(path.join(home, 'askpass'), '#!/bin/sh\necho 123456\n', {mode: 0o755})
    const env = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, HOME: home, PATH: process.env.PATH, SSH_ASKPASS: path.join(home, 'askpass'), SSH_ASKPASS_REQUIRE: 'force',
    }
    const args = [bin, 'refresh-once', '--force', '--mfa-serial-number', 'arn:aws:iam::123456789012:mfa/bench']
    for (let ready = false; !ready;) {
      await sleep(200)
      ready = await answers(`http://127.0.0.1:${port}/moto-api/`)
    }

    const times = []
    for (let i = 0; i < 8; i++) {
      const start = process.hrtime.bigint()
      execFileSync(process.execPath, args, {env, stdio: 'ignore'})
      if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e9) // the first run warms moto and the disk cache
    }

    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]
  } finally {
    moto.kill()
    rmSync(home, {force: true, recursive: true})
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
const idle = await watchIdle()
const row = (what, value, goal, ok) => console.log(`${what.padEnd(46)} ${value.padStart(16)}   goal ${goal.padEnd(10)} ${ok ? 'met' : 'MISSED'}`)
console.log(`Node ${process.version}, ${os.cpus().length} CPUs; watch idle for ${idleSeconds} s`)
for (const name of ['node -e 0', 'lock -- true', 'status', '--help']) {
  const ratio = name === 'node -e 0' ? '' : ` (x${(start[name] / start['node -e 0']).toFixed(1)})`
  row(`start-up: ${name} (median of 15)`, `${start[name].toFixed(0)} ms${ratio}`, '-', true)
}

row('refresh-once against moto (median of 7)', `${refresh.toFixed(2)} s`, '< 1 s', refresh < 1)
row('resident memory (VmRSS)', `${idle.rss.toFixed(1)} MiB`, '<= 70 MiB', idle.rss <= 70)
row('peak resident memory (VmHWM)', `${idle.peak.toFixed(1)} MiB`, '-', true)
row('CPU time per idle minute', `${idle.cpuPerMinute.toFixed(0)} ms`, '<= 60 ms', idle.cpuPerMinute <= 60)
row(`CPU, once, in the first ${SETTLE_SECONDS} s (heap shrink)`, `${idle.settle.toFixed(0)} ms`, '-', true)
