import {Flags} from '@oclif/core'

import {exec} from '../cli/actions/exec.js'
import {splitAtCommand} from '../cli/actions/split.js'
import {BaseCommand} from '../cli/base-command.js'
import {refreshFlags} from '../cli/flags.js'
import {UsageError} from '../core/errors.js'

export default class Exec extends BaseCommand {
  static override description = `Run a command (or your shell) with the session credentials of PROFILE-mfa, refreshing them first if they are due.

COMMAND gets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION and AWS_REGION (when one is known), without AWS_PROFILE or AWS_DEFAULT_PROFILE, so that its SDK does not go back to the files; MFA_CREDS_EXEC names the profile (for a shell prompt). COMMAND is everything after the flags (or after --); with none, your $SHELL starts. Exits with COMMAND's status (128+N when a signal N ended it, 127 when it cannot be found, 126 when it cannot be run). An exec inside an exec shell is refused.

--server: for commands that run longer than a session. COMMAND gets no keys at all, but a credentials endpoint on 127.0.0.1 (the ECS container-credentials protocol, with a random token only it is given) that serves the session as the credentials file holds it, and stand-ins for ~/.aws/config and ~/.aws/credentials that keep the profile's settings under [default] and hold no keys, so that its SDK asks the endpoint before anything else. Before the session expires it is renewed, as watch does, asking for a code with a provider that does not need the terminal (a window); with only a terminal to ask, keep mfa-creds watch running elsewhere.`
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -p work -- aws s3 ls', description: 'One command with the session of [work-mfa]'},
    {command: '<%= config.bin %> <%= command.id %> -p work', description: 'A shell with it ($MFA_CREDS_EXEC is work); exit to leave'},
    {command: '<%= config.bin %> <%= command.id %> -p work --server -- terraform apply', description: 'A job longer than a session: its SDK asks the local endpoint, which is renewed before the session expires'},
    // eslint-disable-next-line no-template-curly-in-string -- a shell's ${...}, for the user to type
    {command: 'PS1=\'${MFA_CREDS_EXEC:+[$MFA_CREDS_EXEC] }\\$ \' <%= config.bin %> <%= command.id %> -p work', description: 'Show the profile in the shell prompt'},
  ]
  static override flags = {
    ...refreshFlags,
    server: Flags.boolean({description: 'Give COMMAND a local credentials endpoint that stays fresh (renewed before expiry) instead of keys in its environment.'}),
  }
  static override strict = false
  static override usage = '<%= command.id %> [-p PROFILE] [--server] [FLAGS] [--] [COMMAND [ARGS...]]'

  public async run(): Promise<void> {
    // COMMAND starts at the first argument that is not one of our flags (or after --), exactly as typed.
    const {command, flags: raw} = splitAtCommand(this.argv, flag => takesValue(flag))
    // strict = false lets oclif take `--server=false` as --server and a stray argument: refused.
    const valued = raw.find(arg => /^--[^=]+=/.test(arg) && !takesValue(arg.split('=')[0]) && arg.split('=')[0].slice(2) in Exec.flags)
    if (valued) throw new UsageError(`${valued.split('=')[0]} takes no value (${valued})`, `leave out the =...: ${valued.split('=')[0]} alone turns it on`)
    const {flags} = await this.parse(Exec, raw)
    await exec(flags, command, this.config, this.io())
  }
}

/** A flag of exec's followed by its value (`--profile work`, `-p work`). */
function takesValue(arg: string): boolean {
  const flag = arg.startsWith('--')
    ? Exec.flags[arg.slice(2) as keyof typeof Exec.flags]
    : Object.values(Exec.flags).find(f => 'char' in f && f.char === arg.slice(1))
  return flag?.type === 'option'
}
