/**
 * `lock -- COMMAND`: run another writer of the credentials file under the protocol lock.
 *
 * The lock is held here, in the parent, for as long as COMMAND runs (fcntl locks are not
 * inherited, and our lock fd is close-on-exec), and released only once COMMAND has exited. If
 * this process is killed, the kernel frees the lock. COMMAND runs as exec's does
 * (core/exec/run-command.ts: status, signals and stdio passed through).
 */
import {CommandResult, runCommand} from '../exec/run-command.js'
import {LockHolder, withProtocolLock} from './lock.js'

export interface RunLockedOptions {
  onWait?: (holders: LockHolder[]) => void
  timeoutMs?: number
}

export type RunLockedResult = CommandResult

/** Runs COMMAND while holding the protocol lock of this credentials file. */
export function runLocked(credentialsFile: string, command: string[], options: RunLockedOptions): Promise<RunLockedResult> {
  return withProtocolLock(credentialsFile, {onWait: options.onWait, timeoutMs: options.timeoutMs}, () => runCommand(command))
}
