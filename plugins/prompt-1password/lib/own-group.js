// Runs a plugin's tool (sh -c COMMAND, op, ykman) in a process group of its own, so that a
// timeout, an abort or our exit ends all of it: the tool and whatever it started (a `sleep &`, a
// helper that keeps stdout open). The same contract as mfa-creds' own askpass runner, in plain
// JavaScript, because plugins take no runtime dependency on mfa-creds.
//
// This file is the one source. Each plugin package ships a copy as lib/own-group.js (npm pack
// leaves out files outside the package, and symlinks): `node plugins/shared/sync.mjs` writes the
// copies, and a test of test/e2e/plugins.test.ts fails when one differs.
import {spawn} from 'node:child_process'

const GRACE_MS = 2000

/**
 * Runs `file args` (no shell of ours) with stdin from /dev/null. Resolves, never rejects, with
 * {type: 'exited', code, signal, stdout, stderr}, {type: 'timed-out'}, {type: 'aborted'} or
 * {type: 'spawn-failed', error}. On a timeout or an abort the group gets SIGTERM, then SIGKILL
 * when its leader has gone (or after graceMs): the outcome is settled then, without waiting for
 * pipes that a leftover could hold open. After the leader exits by itself, what it left behind is
 * ended the same way. onStderr sees stderr as it comes (ykman's "touch your key").
 */
export function runInOwnGroup(file, args, {env, graceMs = GRACE_MS, maxOutput = 65_536, onStderr, signal, timeoutMs} = {}) {
  if (signal?.aborted) return Promise.resolve({type: 'aborted'})
  return new Promise(resolve => {
    const child = spawn(file, args, {detached: true, env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    let stopped
    let exited
    let settled = false
    const timers = []

    const signalGroup = sig => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, sig)
      } catch {
        // ESRCH: nobody of the group is left.
      }
    }

    const onExit = () => signalGroup('SIGKILL')
    const onAbort = () => stop('aborted')

    const settle = outcome => {
      if (settled) return
      settled = true
      for (const timer of timers) clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      process.off('exit', onExit)
      child.stdout.destroy()
      child.stderr.destroy()
      resolve(outcome)
    }

    const outcome = () => (stopped
      ? {type: stopped}
      : {
        ...exited, stderr, stdout, type: 'exited',
      })

    // SIGTERM now; SIGKILL for whatever is left once the grace is over, and the outcome then.
    const endGroup = () => {
      signalGroup('SIGTERM')
      timers.push(setTimeout(() => {
        signalGroup('SIGKILL')
        settle(outcome())
      }, graceMs))
    }

    const stop = why => {
      if (settled || stopped || exited) return
      stopped = why
      endGroup()
    }

    if (timeoutMs !== undefined) timers.push(setTimeout(() => stop('timed-out'), timeoutMs))
    signal?.addEventListener('abort', onAbort, {once: true})
    process.on('exit', onExit)

    child.stdout.setEncoding('utf8')
    child.stdout.on('data', chunk => {
      if (stdout.length < maxOutput) stdout += chunk
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', chunk => {
      if (stderr.length < maxOutput) stderr += chunk
      onStderr?.(chunk)
    })
    child.on('error', error => {
      if (child.pid === undefined) settle({error, type: 'spawn-failed'})
    })
    child.on('exit', (code, sig) => {
      exited = {code, signal: sig}
      if (stopped) {
        // The leader went on SIGTERM: the rest of the group goes now, and we are done.
        signalGroup('SIGKILL')
        settle(outcome())
      } else {
        endGroup()
      }
    })
    // Every pipe closed after the exit: all of it was read.
    child.on('close', () => {
      if (exited) {
        signalGroup('SIGKILL')
        settle(outcome())
      }
    })
  })
}
