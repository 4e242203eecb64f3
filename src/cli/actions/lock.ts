/** `lock -- COMMAND`: what the oclif command and the fast entry both run. */
import {credentialsFilePath} from '../../core/aws/paths.js'
import {UsageError} from '../../core/errors.js'
import {describeHolders} from '../../core/files/lock.js'
import {runLocked} from '../../core/files/run-locked.js'
import {CommandIo, endAsCommand} from '../command-io.js'

export async function lock(flags: {timeout?: number}, command: string[], io: CommandIo): Promise<void> {
  if (command.length === 0) throw new UsageError('no command to run', 'put it after --, e.g. mfa-creds lock -- aws configure set region eu-west-1')
  const result = await runLocked(credentialsFilePath(), command, {
    onWait(holders) {
      if (process.stderr.isTTY) io.note(`Waiting for the credentials file lock${describeHolders(holders)}...`)
    },
    timeoutMs: flags.timeout === undefined ? undefined : flags.timeout * 1000,
  })
  endAsCommand(io, result)
}
