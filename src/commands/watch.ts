import {Flags} from '@oclif/core'

import {watch} from '../cli/actions/watch.js'
import {BaseCommand} from '../cli/base-command.js'
import {refreshFlags} from '../cli/flags.js'

export default class Watch extends BaseCommand {
  static override description = `Keep MFA session credentials fresh, all day: ask for a code shortly before they expire.

Reuses valid credentials at start (no prompt until they are due), refreshes at expiration minus the lead time, follows the wall clock through sleep and clock changes, and retries network and STS failures with backoff, sending the code you already typed again for up to a minute. SIGINT or SIGTERM stop it (exit 0, never in the middle of a write); SIGHUP re-reads the config file.`
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> --mfa-serial-number arn:aws:iam::123456789012:mfa/alice', description: 'Keep [default-mfa] fresh'},
    {command: '<%= config.bin %> <%= command.id %> -p dev -p prod', description: 'Watch two profiles (serials from ~/.aws/config), each on its own schedule'},
    {command: '<%= config.bin %> <%= command.id %> -p dev-admin -p prod-readonly', description: 'Two role profiles (role_arn + source_profile): one code per MFA session serves both'},
    {command: '<%= config.bin %> <%= command.id %> --keep-going --prompt-retry-interval 300', description: 'Never give up: after a cancelled prompt, ask again in 5 minutes'},
    {command: '<%= config.bin %> <%= command.id %> --log-format json 2>>~/.cache/mfa-creds.log', description: 'Machine-readable log lines'},
    {command: '<%= config.bin %> <%= command.id %> -p work --serve', description: 'Also serve [work-mfa] to long jobs started with: mfa-creds exec -p work --server -- terraform apply'},
  ]
  static override flags = {
    ...refreshFlags,
    'exit-on-error': Flags.boolean({description: 'Exit on any error, as aws-mfa-credentials did, instead of retrying.', exclusive: ['keep-going']}),
    'keep-going': Flags.boolean({description: 'After a cancelled prompt (or a refused code), ask again after --prompt-retry-interval instead of exiting.'}),
    'lock-timeout': Flags.integer({description: 'Give up (exit 75) when the credentials file lock is not had within this many seconds. Default: wait as long as it takes.', helpValue: 'SECONDS', min: 0}),
    'log-format': Flags.string({default: 'text', description: 'Log lines on stderr: text (local time) or json.', options: ['text', 'json']}),
    profile: Flags.string({
      char: 'p', default: ['default'], description: 'Profile with the long-term keys; repeat to watch several.', helpValue: 'PROFILE', multiple: true,
    }),
    'prompt-retry-interval': Flags.integer({
      default: 600, description: 'Seconds before asking again after an unanswered (or, with --keep-going, cancelled) prompt.', helpValue: 'SECONDS', min: 1,
    }),
    serve: Flags.boolean({description: 'Also serve the session credentials on a local endpoint (127.0.0.1, a random port and token), which mfa-creds exec --server hands to its commands so that they stay fresh for as long as this watch runs.'}),
  }

  public async run(): Promise<void> {
    const {flags} = await this.parse(Watch)
    await watch(flags, this.config, this.io())
  }
}
