#!/usr/bin/env node
// What the resident memory of an idle `watch` is made of. Not part of `npm run bench`: run it with
// `node bench/watch-memory.mjs` after `npm run build`. Idle Node processes that load what watch
// loads, a part at a time, and the real watch with a few V8 flags, all side by side; for each:
// VmRSS (the figure BENCHMARKS.md holds to its goal), its anonymous part (heaps, code, stacks) and
// its file-backed part (mostly pages of the node binary: V8, ICU data, built-in modules; shared
// with every other node process, so counted in each one's VmRSS), from /proc/PID/status, and the
// proportional set size (Pss) from /proc/PID/smaps_rollup, once each has settled (V8 shrinks its
// heap once, some 7-11 s after start-up). WATCH_MEMORY_SECONDS sets the settling time (default 25).
//
// "watch's own modules, no oclif" estimates a watch that does not load oclif: a script importing
// every module of ours (and of our dependencies) that the real watch loads, except @oclif/core and
// the files that import it, then taking the lock once (koffi loads libc) and formatting a log
// line's local time (Intl, the time zone's name), as an idle watch does.
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {idleHome} from './idle-home.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = path.join(root, 'bin', 'run.js')
const seconds = Number(process.env.WATCH_MEMORY_SECONDS ?? 25)
const idle = 'setInterval(() => {}, 1e9)'
const koffi = "const koffi = (await import('koffi')).default; koffi.load(null).func('int getpid(void)')()"
const zoneName = "new Intl.DateTimeFormat('en-US', {timeZoneName: 'short'}).formatToParts(new Date())"
const sdk = "process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; const {STSClient} = await import('@aws-sdk/client-sts'); globalThis.client = new STSClient({region: 'us-east-1'})"

const dir = idleHome('mfa-creds-memory-')
const env = {HOME: dir, PATH: process.env.PATH}
const watch = [bin, 'watch', '--mfa-serial-number', 'arn:aws:iam::123456789012:mfa/bench']

/** Starts a process in the bench HOME; `log()` is what it wrote to stderr. */
function start(args, extraEnv = {}) {
  const child = spawn(process.execPath, args, {cwd: root, env: {...env, ...extraEnv}, stdio: ['ignore', 'ignore', 'pipe']})
  let log = ''
  child.stderr.on('data', chunk => {
    log += chunk
  })
  return {child, log: () => log}
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  await once(child, 'exit')
}

/** The modules (file URLs) an idle watch loads through import, recorded by a resolve hook. */
async function watchModules() {
  const hook = path.join(dir, 'hook.mjs')
  const list = path.join(dir, 'modules.txt')
  writeFileSync(hook, `import {appendFileSync} from 'node:fs'
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  appendFileSync(${JSON.stringify(list)}, result.url + '\\n')
  return result
}
`)
  writeFileSync(path.join(dir, 'register.mjs'), `import {register} from 'node:module'\nregister(${JSON.stringify(pathToFileURL(hook).href)})\n`)
  writeFileSync(list, '')
  const {child, log} = start(['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, ...watch])
  try {
    for (let waited = 0; !/valid until/.test(log()); waited += 100) {
      if (waited > 30_000 || child.exitCode !== null) throw new Error(`watch did not start: ${log()}`)
      await sleep(100)
    }
  } finally {
    await stop(child)
  }

  return [...new Set(readFileSync(list, 'utf8').trim().split('\n'))].filter(url => url.startsWith('file:'))
}

const imported = (await watchModules()).filter(url => {
  const file = fileURLToPath(url)
  return file !== bin && !file.includes(`${path.sep}@oclif${path.sep}`) && !readFileSync(file, 'utf8').includes('@oclif/core')
})
const url = file => JSON.stringify(pathToFileURL(path.join(root, 'dist', file)).href)
const ownModules = `for (const url of ${JSON.stringify(imported)}) await import(url)
const {flock} = await import(${url('core/files/libc.js')})
const {openSync} = await import('node:fs')
const fd = openSync(${JSON.stringify(path.join(dir, 'lock'))}, 'w')
await flock(fd, 'exnb')
await flock(fd, 'un')
if (process.env.ZONE !== 'off') (await import(${url('cli/render.js')})).localTime(new Date())`
const script = body => ['--input-type=module', '-e', `${body}\n${idle}`]

const cases = [
  ['node, idle (setInterval)', {args: ['-e', idle]}],
  ['node --lite-mode, idle', {args: ['--lite-mode', '-e', idle]}],
  ['node + Intl time zone name (a log line\'s time)', {args: ['-e', `${zoneName}; ${idle}`]}],
  ['node + koffi (libc loaded, one call)', {args: script(koffi)}],
  ['node + @oclif/core', {args: script("await import('@oclif/core')")}],
  ['node + @aws-sdk/client-sts (a client made)', {args: script(sdk)}],
  ['node + @oclif/core + koffi', {args: script(`await import('@oclif/core'); ${koffi}`)}],
  ['watch\'s own modules, no oclif', {args: script(ownModules)}],
  ['watch\'s own modules, no oclif, --lite-mode', {args: ['--lite-mode', ...script(ownModules)]}],
  ['watch\'s own modules, no oclif, no Intl', {args: script(ownModules), env: {ZONE: 'off'}}],
  ['watch\'s own modules, no oclif, no Intl, --lite-mode', {args: ['--lite-mode', ...script(ownModules)], env: {ZONE: 'off'}}],
  ['watch', {args: watch}],
  ['watch --max-semi-space-size=1', {args: ['--max-semi-space-size=1', ...watch]}],
  ['watch --lite-mode', {args: ['--lite-mode', ...watch]}],
  ['watch --max-semi-space-size=1 --lite-mode', {args: ['--max-semi-space-size=1', '--lite-mode', ...watch]}],
  ['watch --jitless', {args: ['--jitless', ...watch]}],
  ['watch --single-threaded', {args: ['--single-threaded', ...watch]}],
  ['watch --optimize-for-size', {args: ['--optimize-for-size', ...watch]}],
]

const mib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)[1]) / 1024
const running = cases.map(([name, {args, env: extra}]) => ({name, ...start(args, extra)}))
try {
  await sleep(seconds * 1000)
  const rows = running.map(({child, log, name}) => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} ended: ${log()}`)
    if (/^watch( |$)/.test(name) && !/valid until/.test(log())) throw new Error(`${name} is not idling: ${log()}`)
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    return {
      anon: mib(status, 'RssAnon'), file: mib(status, 'RssFile'), name, pss: mib(readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8'), 'Pss'), rss: mib(status, 'VmRSS'),
    }
  })
  const floor = rows[0].rss
  const column = value => value.toFixed(1).padStart(8)
  console.log(`Node ${process.version}; ${rows.length} idle processes side by side, read after ${seconds} s; MiB`)
  console.log(`${'process'.padEnd(56)} ${'VmRSS'.padStart(8)} ${'-node'.padStart(8)} ${'RssAnon'.padStart(8)} ${'RssFile'.padStart(8)} ${'Pss'.padStart(8)}`)
  for (const r of rows) console.log(`${r.name.padEnd(56)} ${column(r.rss)} ${column(r.rss - floor)} ${column(r.anon)} ${column(r.file)} ${column(r.pss)}`)
} finally {
  for (const {child} of running) await stop(child)
  rmSync(dir, {force: true, recursive: true})
}
