#!/usr/bin/env node
// Benchmarks that print figures (they are not tests): run with `npm run bench`. They hold the
// project to its goals (tableRows below) and write BENCHMARKS.md: measured value, goal, met or
// missed, the method, and for each missed goal what it would take (WHY_MISSED below).
//
// Every comparison is side by side in one run: the processes compared run interleaved, round by
// round, and each figure is the median of its runs. Every run is checked (exit status, output,
// what it wrote): a command that fails aborts the bench, it never counts as fast.
//
// Environment:
//   MFA_CREDS_BENCH_AWS_MFA  a checkout of broamski/aws-mfa (run with python3 and its boto3) to
//                            compare refresh-once with; without it that row says "not measured".
//   BENCH_IDLE_SECONDS       how long the idle watch is watched after it settled (default 60).
import {spawn, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {once} from 'node:events'
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath} from 'node:url'

import {idleHome} from './idle-home.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = path.join(root, 'bin', 'run.js')
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60)
const awsMfaCheckout = process.env.MFA_CREDS_BENCH_AWS_MFA || undefined
const CLK_TCK = 100 // Linux's USER_HZ for /proc/PID/stat
const SETTLE_SECONDS = 15
/** Start-up: measured rounds, after one warm-up round. */
const STARTUP_ROUNDS = 15
/** refresh-once vs aws-mfa: measured rounds, after one warm-up round. */
const REFRESH_ROUNDS = 11
const DEVICE = 'arn:aws:iam::123456789012:mfa/bench'
/** The duration both refreshers ask STS for (aws-mfa's default, given to both explicitly). */
const DURATION = 43_200

/** What is left of a fast command's start-up, and what would make it smaller. */
const STARTUP_WHY = 'The fast entry (README, Start-up) runs this without oclif or the AWS SDK. What is left over the start of Node is fixed work, which does not shrink when Node starts faster: the ES module loader and our bundle (bin/run.js, dist/fast-bundle/main.js and the chunks the command shares with others, some 100-200 KB of JavaScript compiled at every start), the built-in modules it pulls in (fs/promises, child_process, crypto), and the files read (the credentials and config files). On this machine the floor itself moves between about 30 and 80 ms from one run to the next; with a floor near 70 ms the same commands measure x1.2 to x1.6. What it would take: a bundle per command with only the modules it uses (no shared chunks pulling in child_process and crypto), and compiled code kept between runs: Node 22 module.enableCompileCache() in a directory of the user (Node 20 has none), or a start-up snapshot (node --build-snapshot) of the fast entry.'

/**
 * Why a goal is missed and what meeting it would take, by row id: written under the table for
 * each missed goal (nothing is written for a goal that is met). Kept by the project lead.
 */
const WHY_MISSED = {
  'credential-process-vs-aws': '',
  'refresh-vs-aws-mfa': 'refresh-once runs through the fast entry and signs its STS call with SignatureV4 alone (no SDK client: see the row above). What is left is the start of Node, loading the refresh code and koffi, ssh-askpass (a process started for the code), the answer of moto and the locked, fsynced write; the margin is within the noise of this machine (the floor moves 30 to 80 ms between runs). What it would take: the same as for start-up (less code compiled per start); not the fsyncs (of the temp file and of the directory), which we keep.',
  'startup:--help': 'Help stays with oclif, the home of every command and its help. Importing @oclif/core alone costs about x2 of node -e 0; loading its config (the package.json and manifests of the root and core plugins) and rendering the help add the rest. What it would take: a lazier @oclif/core, or help rendered at build time from the manifest and printed by the fast entry, which would then be a second renderer of the oclif help to keep equal.',
  'startup:credential-process': `${STARTUP_WHY} credential-process also resolves the settings of the profile and its ports (prompt, writer, source) before it answers, as it must: they are checked even when the credentials are fresh.`,
  'startup:export': STARTUP_WHY,
  'startup:lock': `${STARTUP_WHY} lock also loads koffi (flock and fcntl from libc, some 6 to 8 ms) and starts COMMAND.`,
  'startup:status': `${STARTUP_WHY} status also reads /proc/locks and the records of the watchers.`,
  'watch-cpu': '',
  'watch-rss': 'Most of the resident memory of an idle watch is the pages of the node binary itself, shared with every node process (its Pss is a third of its RSS: bench/watch-memory.mjs). watch runs without oclif and turns off the optimising compiler of V8; what is left is Node, koffi and our code. What it would take: node --lite-mode on the command line (the service unit could pass it), or koffi loaded at the first write only.',
  'write-10000': '',
  'write-growth': '',
  'write-hold-median': '',
  'write-hold-p99': '',
}

/** A bench that cannot measure honestly stops: this error ends it with its message. */
class BenchAbort extends Error {}

const abort = message => {
  throw new BenchAbort(message)
}

const median = values => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]
const ms = x => `${x.toFixed(0)} ms`
/** How many times faster we are, from the other's time over ours. */
const faster = ratio => (ratio >= 1 ? `x${ratio.toFixed(2)} faster` : `x${(1 / ratio).toFixed(2)} slower`)
const percentile = (values, p) => [...values].sort((x, y) => x - y)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]
const sha256 = file => createHash('sha256').update(readFileSync(file)).digest('hex')
const isoSeconds = date => date.toISOString().replace(/\.\d+Z$/, 'Z')
const tail = text => text.trim().split('\n').slice(-8).join('\n')

/** The values of [section] in an INI file (enough for the files this bench writes and checks). */
function iniSection(file, section) {
  const values = {}
  let inside = false
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)]/.exec(line)
    if (header) inside = header[1].trim() === section
    else if (inside && /^[\w-]+\s*[=:]/.test(line)) {
      const at = line.search(/[=:]/)
      values[line.slice(0, at).trim()] = line.slice(at + 1).trim()
    }
  }

  return values
}

/**
 * Runs a program to its end and returns its wall-clock time in ms, after checking it: exit
 * status 0 and `check(stdout)` returning nothing, else the bench aborts saying what went wrong.
 */
function timedRun(what, argv, env, check) {
  const start = process.hrtime.bigint()
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: root, encoding: 'utf8', env, maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'],
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  const problem = result.error?.message
    ?? (result.status === 0 ? check?.(result.stdout) : `exited ${result.status ?? result.signal}`)
  if (problem) abort(`${what} (${argv.join(' ')}) failed: ${problem}\n${tail(`${result.stdout}\n${result.stderr}`)}`)
  return ms
}

/**
 * The real executable behind a name on PATH. A pyenv shim is a bash script that runs `pyenv exec`,
 * which can take longer than python's own start-up: that time is pyenv's, not the program's, so the
 * program the shim would run is measured instead.
 */
function executable(name) {
  const found = (process.env.PATH ?? '').split(path.delimiter).map(dir => path.join(dir, name)).find(file => existsSync(file))
  if (!found) abort(`${name} is not on PATH`)
  if (!readFileSync(found, 'utf8').slice(0, 2000).includes('pyenv" exec')) return found
  const real = spawnSync('pyenv', ['which', name], {encoding: 'utf8'})
  return real.status === 0 ? real.stdout.trim() : found
}

/**
 * The other programs the bench runs, found before anything is measured: aws (AWS CLI v1),
 * moto_server, and with MFA_CREDS_BENCH_AWS_MFA the aws-mfa script and a python3 that has boto3.
 */
function preflight() {
  executable('moto_server')
  const tools = {aws: executable('aws')}
  if (!awsMfaCheckout) return tools
  const script = path.join(awsMfaCheckout, 'aws-mfa')
  if (!existsSync(script) || !existsSync(path.join(awsMfaCheckout, 'awsmfa', '__init__.py'))) {
    abort(`MFA_CREDS_BENCH_AWS_MFA=${awsMfaCheckout} is not a checkout of broamski/aws-mfa (it needs its aws-mfa script and awsmfa package)`)
  }

  const python = executable('python3')
  const boto = spawnSync(python, ['-c', 'import boto3'], {encoding: 'utf8'})
  if (boto.status !== 0) abort(`aws-mfa needs boto3, which ${python} cannot import: ${tail(boto.stderr ?? String(boto.error))}`)
  return {...tools, awsMfa: {python, script}}
}

/** Interleaved runs: `rounds` rounds (after one warm-up), each running every case once, the order rotated per round; median ms per case. */
function interleaved(cases, rounds, prepare) {
  const names = Object.keys(cases)
  const times = Object.fromEntries(names.map(name => [name, []]))
  for (let round = 0; round <= rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]
      const {argv, check, env} = cases[name]
      prepare?.(name)
      const ms = timedRun(name, argv, env, check)
      cases[name].after?.()
      if (round > 0) times[name].push(ms)
    }
  }

  return Object.fromEntries(names.map(name => [name, median(times[name])]))
}

const FRESH_KEY = 'ASIABENCHFRESH'

// Start-up: mfa-creds commands that answer from the files alone, next to `node -e 0` (the cost of
// starting Node at all) and to `aws configure get` reading the same key. The HOME's credentials
// file holds [bench] (long-term keys) and [bench-mfa], session keys valid for 6 hours; the config
// gives [profile bench] an mfa_serial. So credential-process answers without STS or a prompt
// (the file is checked to be unchanged afterwards: nothing was refreshed).
function startup(tools) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
  try {
    const credentialsFile = path.join(home, '.aws', 'credentials')
    mkdirSync(path.join(home, '.aws'))
    writeFileSync(credentialsFile, [
      '[bench]',
      'aws_access_key_id = AKIABENCHLONGTERM',
      'aws_secret_access_key = bench/long-term',
      '',
      '[bench-mfa]',
      `aws_access_key_id = ${FRESH_KEY}`,
      'aws_secret_access_key = bench/session',
      `aws_session_token = FwoGZXIvYXdz${'x'.repeat(400)}==`,
      `expiration = ${isoSeconds(new Date(Date.now() + (6 * 3_600_000)))}`,
      '',
    ].join('\n'), {mode: 0o600})
    writeFileSync(path.join(home, '.aws', 'config'), `[profile bench]\nmfa_serial = ${DEVICE}\nregion = us-east-1\n`)
    const before = sha256(credentialsFile)
    const env = {HOME: home, PATH: process.env.PATH}
    const oclif = {...env, MFA_CREDS_FAST: '0'}
    const node = process.execPath
    const has = (...parts) => stdout => parts.every(p => stdout.includes(p)) ? undefined : `its output lacks ${parts.map(p => JSON.stringify(p)).join(' or ')}`
    const credentialProcessOutput = stdout => {
      try {
        const json = JSON.parse(stdout)
        return json.Version === 1 && json.AccessKeyId === FRESH_KEY && json.SessionToken ? undefined : `unexpected JSON ${stdout.slice(0, 80)}`
      } catch {
        return `not JSON: ${stdout.slice(0, 80)}`
      }
    }

    const status = has('bench-mfa', 'valid')
    const cases = {
      '--help': {argv: [node, bin, '--help'], check: has('USAGE', 'credential-process'), env},
      'aws configure get': {
        argv: [tools.aws, 'configure', 'get', 'aws_access_key_id', '--profile', 'bench-mfa'],
        check: stdout => (stdout.trim() === FRESH_KEY ? undefined : `printed ${JSON.stringify(stdout.trim())}`),
        env,
      },
      'credential-process': {argv: [node, bin, 'credential-process', '-p', 'bench'], check: credentialProcessOutput, env},
      export: {argv: [node, bin, 'export', '-p', 'bench'], check: has(`export AWS_ACCESS_KEY_ID='${FRESH_KEY}'`), env},
      lock: {argv: [node, bin, 'lock', '--', 'true'], env},
      'node -e 0': {argv: [node, '-e', '0'], env},
      'oclif credential-process': {argv: [node, bin, 'credential-process', '-p', 'bench'], check: credentialProcessOutput, env: oclif},
      'oclif lock': {argv: [node, bin, 'lock', '--', 'true'], env: oclif},
      'oclif status': {argv: [node, bin, 'status'], check: status, env: oclif},
      status: {argv: [node, bin, 'status'], check: status, env},
    }
    const times = interleaved(cases, STARTUP_ROUNDS)
    if (sha256(credentialsFile) !== before) abort('the start-up runs changed the credentials file: credential-process refreshed instead of answering from it')
    return times
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

/** A local moto_server, up and answering; `stop` ends it. */
async function startMoto() {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: 'ignore'})
  let ended
  moto.on('error', error => {
    ended = error.message
  })
  moto.on('exit', code => {
    ended ??= `exited ${code}`
  })
  const stop = () => moto.exitCode === null && moto.kill()
  for (let waited = 0; !(await answers(`${url}/moto-api/`)); waited += 200) {
    if (ended || waited > 30_000) {
      stop()
      abort(`moto_server did not start: ${ended ?? 'no answer within 30 s'}`)
    }

    await sleep(200)
  }

  return {stop, url}
}

/**
 * The session credentials a refresh wrote into `section`: new keys (not the stale ones put there
 * before the run) that expire DURATION seconds from now, give or take 2 minutes; else why not.
 */
function wroteFresh(file, section, staleKey) {
  const values = iniSection(file, section)
  const text = values.expiration ?? ''
  const expiration = Date.parse(/(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text.replace(' ', 'T')}Z`)
  if (!values.aws_access_key_id || values.aws_access_key_id === staleKey || !values.aws_session_token) return `[${section}] holds no new session keys`
  const off = ((expiration - Date.now()) / 1000) - DURATION
  if (!(Math.abs(off) < 120)) return `[${section}] expires at ${JSON.stringify(text)}, not ${DURATION} s from now`
}

// refresh-once --force against moto_server (ssh-askpass answering at once), whole process, next
// to aws-mfa (broamski/aws-mfa with python3 and boto3, --token: the code given on the command
// line) doing the same: a forced GetSessionToken of DURATION seconds against the same moto,
// written into the credentials file. Each tool has a HOME of its own whose file is put back before
// every run (long-term keys, and stale session keys in the section it writes), and each run is
// checked to have written new keys that expire DURATION seconds later.
async function refreshRun(tools) {
  const moto = await startMoto()
  const homes = []
  const home = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
    homes.push(dir)
    mkdirSync(path.join(dir, '.aws'))
    return dir
  }

  try {
    const stale = ['aws_access_key_id = ASIASTALE', 'aws_secret_access_key = stale', 'aws_session_token = stale', 'aws_security_token = stale']
    const common = {AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: moto.url, PATH: process.env.PATH}
    const ourHome = home()
    const ourFile = path.join(ourHome, '.aws', 'credentials')
    const ourContent = ['[default]', 'aws_access_key_id = AKIABENCH', 'aws_secret_access_key = bench', '', '[default-mfa]', ...stale, 'expiration = 2000-01-01T00:00:00Z', ''].join('\n')
    writeFileSync(path.join(ourHome, 'askpass'), '#!/bin/sh\necho 123456\n', {mode: 0o755})
    const cases = {
      'mfa-creds': {
        after() {
          const problem = wroteFresh(ourFile, 'default-mfa', 'ASIASTALE')
          if (problem) abort(`refresh-once --force did not write new credentials: ${problem}`)
        },
        argv: [process.execPath, bin, 'refresh-once', '--force', '--duration', String(DURATION), '--mfa-serial-number', DEVICE],
        env: {
          ...common, HOME: ourHome, SSH_ASKPASS: path.join(ourHome, 'askpass'), SSH_ASKPASS_REQUIRE: 'force',
        },
        reset: () => writeFileSync(ourFile, ourContent, {mode: 0o600}),
      },
    }
    // The same refresh with the AWS SDK's STS client (MFA_CREDS_STS_CLIENT=sdk), in a HOME of its own.
    const sdkHome = home()
    const sdkFile = path.join(sdkHome, '.aws', 'credentials')
    writeFileSync(path.join(sdkHome, 'askpass'), '#!/bin/sh\necho 123456\n', {mode: 0o755})
    cases['mfa-creds, SDK client'] = {
      ...cases['mfa-creds'],
      after() {
        const problem = wroteFresh(sdkFile, 'default-mfa', 'ASIASTALE')
        if (problem) abort(`refresh-once --force (MFA_CREDS_STS_CLIENT=sdk) did not write new credentials: ${problem}`)
      },
      env: {
        ...common, HOME: sdkHome, MFA_CREDS_STS_CLIENT: 'sdk', SSH_ASKPASS: path.join(sdkHome, 'askpass'), SSH_ASKPASS_REQUIRE: 'force',
      },
      reset: () => writeFileSync(sdkFile, ourContent, {mode: 0o600}),
    }
    if (tools.awsMfa) {
      const {python, script} = tools.awsMfa
      const theirHome = home()
      const theirFile = path.join(theirHome, '.aws', 'credentials')
      const theirContent = [
        '[default-long-term]',
        'aws_access_key_id = AKIABENCH',
        'aws_secret_access_key = bench',
        '',
        '[default]',
        'assumed_role = False',
        ...stale,
        'expiration = 2000-01-01 00:00:00',
        '',
      ].join('\n')
      cases['aws-mfa'] = {
        after() {
          const problem = wroteFresh(theirFile, 'default', 'ASIASTALE')
          if (problem) abort(`aws-mfa --force did not write new credentials: ${problem}`)
        },
        argv: [python, script, '--force', '--token', '123456', '--device', DEVICE, '--duration', String(DURATION)],
        check: stdout => (stdout.includes('Success!') ? undefined : 'it did not say "Success!"'),
        env: {...common, HOME: theirHome},
        reset: () => writeFileSync(theirFile, theirContent, {mode: 0o600}),
      }
    }

    const times = interleaved(cases, REFRESH_ROUNDS, name => cases[name].reset())
    return {awsMfa: times['aws-mfa'], ours: times['mfa-creds'], sdk: times['mfa-creds, SDK client']}
  } finally {
    moto.stop()
    for (const dir of homes) rmSync(dir, {force: true, recursive: true})
  }
}

/** Generation n of the session credentials the write benchmark writes (each later than the one before). */
const session = n => ({
  accessKeyId: `ASIABENCH${n}`, expiration: new Date(Date.now() + 3_600_000 + (n * 1000)), secretAccessKey: `bench/secret+${n}`, sessionToken: `FwoGZXIvYXdz${'x'.repeat(400)}${n}==`,
})

/** Writes per file size: many on the small file, for the lock's p99. */
const WRITES = {100: 200, 1000: 21, 10_000: 51}

// The write alone, in this process, through the credentials-file writer itself: files of 100,
// 1,000 and 10,000 profiles (median of WRITES writes each, a profile in the middle), and how long
// the lock is held per write, as the lock reports it (per size: median, and p99).
async function writeRun() {
  const {CredentialsFileWriter} = await import(path.join(root, 'dist', 'writers', 'credentials-file.js'))
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mfa-creds-bench-'))
  try {
    const sizes = {}
    const holds = {}
    let generation = 0
    for (const [size, runs] of Object.entries(WRITES).map(([s, r]) => [Number(s), r])) {
      const file = path.join(dir, `credentials-${size}`)
      const lines = []
      for (let i = 0; i < size; i++) lines.push(`[p${i}]`, `aws_access_key_id = AKIA${String(i).padStart(16, '0')}`, `aws_secret_access_key = secret/${i}`, 'region = eu-west-1', '')
      writeFileSync(file, lines.join('\n'), {mode: 0o600})
      const writer = new CredentialsFileWriter(file)
      const times = []
      holds[size] = []
      for (let i = 0; i < runs; i++) {
        const credentials = session(++generation)
        const start = process.hrtime.bigint()
        await writer.write({credentials, onLockHeld: ms => holds[size].push(ms), targetProfile: `p${size / 2}-mfa`})
        times.push(Number(process.hrtime.bigint() - start) / 1e6)
        if (iniSection(file, `p${size / 2}-mfa`).aws_access_key_id !== credentials.accessKeyId) abort(`write ${i + 1} into the ${size}-profile file did not land`)
      }

      if (holds[size].length !== runs) abort(`the lock reported ${holds[size].length} holds for ${runs} writes`)
      sizes[size] = median(times)
    }

    const hold = Object.fromEntries(Object.entries(holds).map(([size, ms]) => [size, {median: median(ms), p99: percentile(ms, 99)}]))
    return {hold, sizes}
  } finally {
    rmSync(dir, {force: true, recursive: true})
  }
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
}

function memoryKiB(pid, key) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith(`${key}:`))
  return Number(line.split(/\s+/)[1])
}

// watch idle: a `watch` whose credentials are valid for hours sits idle. Its CPU time (utime +
// stime from /proc/PID/stat) is measured over BENCH_IDLE_SECONDS once it has settled, and its
// resident memory (VmRSS, and the peak VmHWM) read from /proc/PID/status at the end. V8 shrinks
// its heap once, some 7-11 s after start-up; that one-off cost is reported on its own (the first
// SETTLE_SECONDS after the first log line) rather than hidden or spread over the minute.
async function watchIdle() {
  const home = idleHome('mfa-creds-bench-')
  let child
  try {
    child = spawn(process.execPath, [bin, 'watch', '--mfa-serial-number', DEVICE], {
      env: {HOME: home, PATH: process.env.PATH},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let log = ''
    child.stderr.on('data', c => {
      log += c
    })
    const alive = () => {
      if (child.exitCode !== null || child.signalCode !== null) abort(`watch ended (${child.exitCode ?? child.signalCode}) instead of idling:\n${tail(log)}`)
    }

    for (let waited = 0; !/valid until/.test(log); waited += 50) {
      alive()
      if (waited > 30_000) abort(`watch did not say the credentials are "valid until" within 30 s:\n${tail(log)}`)
      await sleep(50)
    }

    const started = cpuMs(child.pid)
    await sleep(SETTLE_SECONDS * 1000)
    alive()
    const cpu0 = cpuMs(child.pid)
    await sleep(idleSeconds * 1000)
    alive()
    const cpu = cpuMs(child.pid) - cpu0
    const rss = memoryKiB(child.pid, 'VmRSS') / 1024
    const peak = memoryKiB(child.pid, 'VmHWM') / 1024
    return {
      cpuPerMinute: (cpu * 60) / idleSeconds, peak, rss, settle: cpu0 - started,
    }
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }

    rmSync(home, {force: true, recursive: true})
  }
}

/** The table's rows from the measurements; `ok` is true (met), false (missed) or undefined (informative, or not measured). */
function tableRows({idle, refresh, start, write}) {
  const rows = []
  /** goal: [the goal, whether it is met] for a row that has one. */
  const row = (id, what, value, [goal, ok] = ['-']) => rows.push({
    goal, id, ok, value, what,
  })
  const floor = start['node -e 0']
  const startupRow = (id, what, name, limit) => {
    const ratio = start[name] / floor
    row(id, what, `${ms(start[name])} (x${ratio.toFixed(1)} node -e 0)`, limit ? [`<= ${limit}x node -e 0`, ratio <= limit] : undefined)
  }

  startupRow('startup:status', 'start-up: status', 'status', 1.5)
  startupRow('startup:lock', 'start-up: lock -- true', 'lock', 1.5)
  startupRow('startup:credential-process', 'start-up: credential-process (fresh)', 'credential-process', 1.5)
  startupRow('startup:export', 'start-up: export (fresh)', 'export', 1.5)
  startupRow('startup:--help', 'start-up: --help', '--help', 2.5)
  row('startup:node', 'start-up: node -e 0 (the floor)', ms(floor))
  startupRow('oclif:status', 'through oclif (MFA_CREDS_FAST=0): status', 'oclif status')
  startupRow('oclif:lock', 'through oclif (MFA_CREDS_FAST=0): lock -- true', 'oclif lock')
  startupRow('oclif:credential-process', 'through oclif (MFA_CREDS_FAST=0): credential-process', 'oclif credential-process')
  row('aws-configure-get', 'aws configure get aws_access_key_id (the same key)', ms(start['aws configure get']))
  const readRatio = start['aws configure get'] / start['credential-process']
  row('credential-process-vs-aws', 'credential-process (fresh) vs aws configure get', faster(readRatio), ['>= 2.5x faster', readRatio >= 2.5])

  row('refresh', 'refresh-once --force against moto, whole process', `${(refresh.ours / 1000).toFixed(2)} s`)
  row('refresh-sdk', 'the same with the AWS SDK\'s STS client (MFA_CREDS_STS_CLIENT=sdk)', `${(refresh.sdk / 1000).toFixed(2)} s (x${(refresh.sdk / refresh.ours).toFixed(2)} of ours)`)
  if (refresh.awsMfa === undefined) {
    row('refresh-vs-aws-mfa', 'refresh-once --force vs aws-mfa --force (same moto)', 'not measured: set MFA_CREDS_BENCH_AWS_MFA to a checkout of broamski/aws-mfa', ['>= 3x faster'])
  } else {
    const ratio = refresh.awsMfa / refresh.ours
    row('aws-mfa', 'aws-mfa --force against the same moto, whole process', `${(refresh.awsMfa / 1000).toFixed(2)} s`)
    row('refresh-vs-aws-mfa', 'refresh-once --force vs aws-mfa --force (same moto)', faster(ratio), ['>= 3x faster', ratio >= 3])
  }

  const {hold, sizes} = write
  for (const size of [100, 1000]) row(`write-${size}`, `one write (read, edit, prove, fsync, lock, rename): ${size.toLocaleString('en')} profiles`, `${sizes[size].toFixed(1)} ms`)
  row('write-10000', 'one write (read, edit, prove, fsync, lock, rename): 10,000 profiles', `${sizes[10_000].toFixed(1)} ms`, ['<= 25 ms', sizes[10_000] <= 25])
  row('write-slope', 'growth from 100 to 10,000 profiles', `${(((sizes[10_000] - sizes[100]) / (10_000 - 100)) * 1000).toFixed(1)} µs/profile`, ['linear'])
  row('write-growth', '10,000 vs 1,000 profiles (10x the file)', `x${(sizes[10_000] / sizes[1000]).toFixed(1)}`, ['x <= 10', sizes[10_000] / sizes[1000] <= 10])
  row('write-hold-median', 'lock held per write, median (10,000 profiles)', `${hold[10_000].median.toFixed(2)} ms`, ['<= 1 ms', hold[10_000].median <= 1])
  row('write-hold-100', 'lock held per write, median (100 profiles)', `${hold[100].median.toFixed(2)} ms`)
  row('write-hold-p99', 'lock held per write, p99 (100 profiles)', `${hold[100].p99.toFixed(2)} ms`, ['<= 10 ms', hold[100].p99 <= 10])

  row('watch-rss', 'watch idle: resident memory (VmRSS)', `${idle.rss.toFixed(1)} MiB`, ['<= 50 MiB', idle.rss <= 50])
  row('watch-peak', 'watch idle: peak resident memory (VmHWM)', `${idle.peak.toFixed(1)} MiB`)
  row('watch-cpu', 'watch idle: CPU time per minute', ms(idle.cpuPerMinute), ['<= 60 ms', idle.cpuPerMinute <= 60])
  row('watch-settle', `watch: CPU once in the first ${SETTLE_SECONDS} s (V8 heap shrink)`, ms(idle.settle))
  return rows
}

const METHOD = `## Method

- **Start-up**: ${STARTUP_ROUNDS} rounds (after one warm-up round), each running once, in an order rotated
  from round to round, \`node -e 0\`, \`mfa-creds status\`, \`lock -- true\`, \`credential-process -p bench\`,
  \`export -p bench\`, \`--help\`, the first three again with \`MFA_CREDS_FAST=0\` (forced through oclif),
  and \`aws configure get aws_access_key_id --profile bench-mfa\` (AWS CLI v1); medians of wall-clock
  process time. The ratio is to \`node -e 0\`, the cost of starting Node at all. The HOME holds
  \`[bench]\` (long-term keys) and \`[bench-mfa]\` (session keys expiring in 6 hours) in its
  credentials file and an \`mfa_serial\` for \`[profile bench]\` in its config, so credential-process
  and export answer from the file (fresh: no STS, no prompt; the file is checked unchanged after
  all runs). Every run is checked: exit status 0 and its output (status lists bench-mfa as valid,
  credential-process prints its JSON with the key, export the key, --help its usage, aws the key).
- **credential-process vs aws configure get**: both read the same session key of the same profile
  in the same HOME, in the start-up rounds; the ratio is aws's median over ours. A pyenv shim on
  PATH (for aws here, python3 below) is resolved to the program it runs, so pyenv's own start-up
  is not counted against the other tool.
- **refresh-once vs aws-mfa**: \`mfa-creds refresh-once --force\` (the code from an ssh-askpass
  script, \`SSH_ASKPASS_REQUIRE=force\`) and broamski/aws-mfa (\`python3 aws-mfa --force --token\`,
  from the checkout in \`MFA_CREDS_BENCH_AWS_MFA\`, with the machine's python3 and boto3) each make a
  forced GetSessionToken of ${DURATION} s with the code at once, against the same local moto_server
  (\`AWS_ENDPOINT_URL\`), and write it to the credentials file of a HOME of their own: mfa-creds from
  \`[default]\` into \`[default-mfa]\`, aws-mfa from \`[default-long-term]\` into \`[default]\`.
  ${REFRESH_ROUNDS} interleaved rounds after a warm-up, whole-process wall time, medians; the ratio is
  aws-mfa's over ours. Before each run the file is put back (stale session keys in the section
  written); after each run it must hold new keys expiring ${DURATION} s from now, else the bench stops.
- **One write**: the credentials-file writer called in-process, median of ${WRITES[100]}, ${WRITES[1000]} and ${WRITES[10_000]} writes
  on files of 100, 1,000 and 10,000 profiles (3 keys each), the target in the middle. Before the
  lock: read and parse the whole file as botocore would, decide, edit the target section, prove the
  edit by parsing that section and the header after it, write the temp file and fsync it. Under the
  lock: read the file again and, as nobody changed it, rename the temp file over it (a changed file
  would be edited again under the lock). After the release: fsync the directory.
- **Lock hold time**: from the moment flock and fcntl are both held to their release (closing the
  lock file), reported by the lock itself for each of those writes: the median over the writes
  into 10,000 profiles (the goal), and the median and 99th percentile over the ${WRITES[100]} into 100.
- **watch idle**: a watch whose credentials are valid for 6 hours; CPU time (utime + stime from
  /proc/PID/stat) over ${idleSeconds} s after ${SETTLE_SECONDS} s of settling, and VmRSS/VmHWM from /proc/PID/status at
  the end. V8 shrinks its heap once, some 7-11 s after start-up: that one-off cost is shown on its own line.
`

async function main() {
  const began = Date.now()
  const load = os.loadavg()[0]
  const machine = `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), ${os.platform()} ${os.release()}`
  console.log(`${machine}; load average ${load.toFixed(2)}; watch idle for ${idleSeconds} s`)
  const phase = async (name, measure) => {
    const at = Date.now()
    const result = await measure()
    console.log(`${name}: measured in ${Math.round((Date.now() - at) / 1000)} s`)
    return result
  }

  const tools = preflight()
  const start = await phase('start-up', () => startup(tools))
  const refresh = await phase('refresh-once', () => refreshRun(tools))
  const write = await phase('one write', writeRun)
  const idle = await phase('watch idle', watchIdle)
  const rows = tableRows({
    idle, refresh, start, write,
  })
  for (const r of rows) console.log(`${r.what.padEnd(60)} ${r.value.padStart(36)}   goal ${r.goal.padEnd(18)} ${r.ok === undefined ? '' : (r.ok ? 'met' : 'MISSED')}`)
  const took = Math.round((Date.now() - began) / 1000)
  const table = rows.map(r => `| ${r.what} | ${r.value} | ${r.goal} | ${r.ok === undefined ? '' : (r.ok ? 'met' : '**missed**')} |`).join('\n')
  const missed = rows.filter(r => r.ok === false).map(r => `- **${r.what}**: ${r.value}, goal ${r.goal}\n  - Why missed / what it would take: ${WHY_MISSED[r.id] ?? ''}`.trimEnd())
  writeFileSync(path.join(root, 'BENCHMARKS.md'), `# mfa-creds benchmarks

Written by \`npm run bench\` (bench/bench.mjs) on ${new Date().toISOString().slice(0, 10)}: ${machine}, load
average ${load.toFixed(2)} at the start; the measurements took ${took} s. Every figure is measured again on each run;
the goals are the project's. A ratio compares processes run side by side, interleaved, in the same run.

| what | measured | goal | |
| --- | --- | --- | --- |
${table}
${missed.length === 0 ? '' : `\n## Missed goals\n\n${missed.join('\n')}\n`}
${METHOD}`)
  console.log(`written: BENCHMARKS.md (${took} s)`)
}

try {
  await main()
} catch (error) {
  if (!(error instanceof BenchAbort)) throw error
  console.error(`bench aborted, BENCHMARKS.md not written: ${error.message}`)
  process.exitCode = 1
}
