/** Crash tests of commands that pause at a step (MFA_CREDS_TEST_PAUSE_AT): killed there, then looked at. */
import {ChildProcess} from 'node:child_process'

import {waitFor} from './peers.js'
import {collect, RunResult} from './sandbox.js'

/**
 * For crash tests: waits until a started CLI says `said` on stderr (a step it then pauses after,
 * MFA_CREDS_TEST_PAUSE_AT), then SIGKILLs its process group, and waits for it to end.
 */
export async function killWhenSaid(child: ChildProcess, said: RegExp, what: string): Promise<RunResult> {
  let stderr = ''
  child.stderr!.on('data', c => {
    stderr += c
  })
  const done = collect(child)
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`ended before ${what}: ${stderr}`)
    return said.test(stderr) || undefined
  }, 45_000, what)
  process.kill(-child.pid!, 'SIGKILL')
  return done
}
