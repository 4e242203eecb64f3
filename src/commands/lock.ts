import {Flags} from '@oclif/core'

import {lock} from '../cli/actions/lock.js'
import {splitCommand} from '../cli/actions/split.js'
import {BaseCommand} from '../cli/base-command.js'

export default class Lock extends BaseCommand {
  static override description = `Run a command while holding the credentials file lock, so that nothing it writes is lost.

Takes the lock mfa-creds and other tools share (flock on .credentials.lock beside the credentials file, and on Linux an fcntl lock too), runs COMMAND with the same input, output and environment, and releases the lock once COMMAND has exited. Exits with COMMAND's status (128+N when a signal N ended it, 127 when it cannot be found, 126 when it cannot be run), or 75 when the lock was not had within --timeout.`
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -- aws configure set aws_access_key_id AKIA... --profile work', description: 'Let the AWS CLI edit the credentials file safely'},
    {command: '<%= config.bin %> <%= command.id %> --timeout 10 -- vim ~/.aws/credentials', description: 'Edit it by hand; give up after 10 s if someone else holds the lock'},
  ]
  static override flags = {
    timeout: Flags.integer({description: 'Give up (exit 75, COMMAND not run) when the lock is not had within this many seconds. Default: wait.', helpValue: 'SECONDS', min: 0}),
  }
  static override strict = false
  static override usage = '<%= command.id %> [--timeout SECONDS] -- COMMAND [ARGS...]'

  public async run(): Promise<void> {
    // Split at the first `--` ourselves: everything after it is COMMAND, exactly as typed.
    const {command, flags: raw} = splitCommand(this.argv)
    const {flags} = await this.parse(Lock, raw)
    await lock(flags, command, this.io())
  }
}
