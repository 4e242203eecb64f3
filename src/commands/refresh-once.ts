import {Flags} from '@oclif/core'

import {refreshOnce} from '../cli/actions/refresh-once.js'
import {BaseCommand} from '../cli/base-command.js'
import {refreshFlags} from '../cli/flags.js'
import {RefreshJson} from '../cli/render.js'

export default class RefreshOnce extends BaseCommand {
  static override description = `Refresh the MFA session credentials once if they are due, then exit.

Reads [PROFILE-mfa] of the credentials file; if it expires later than the lead time from now, does nothing. Otherwise asks for a one-time code, calls STS GetSessionToken with the long-term keys of [PROFILE], and writes the session credentials into [PROFILE-mfa] under the shared lock, leaving every other byte of the file as it was.

For a role profile (role_arn and source_profile in ~/.aws/config, or --role-arn) the role is assumed with MFA: from the MFA session of the source profile (asking for a code only when that session is due), or with --no-session directly with the code.

A source_profile that is itself a role makes a role chain: each role is assumed from the one below it, with its own role_session_name, external_id and duration_seconds, and kept in [ROLE-mfa]; one code serves the whole chain, and only what is due is refreshed.`
  static override enableJsonFlag = true
  static override examples = [
    {
      command: '<%= config.bin %> <%= command.id %> --mfa-serial-number arn:aws:iam::123456789012:mfa/alice',
      description: 'Refresh [default-mfa] from the long-term keys in [default]',
    },
    {command: '<%= config.bin %> <%= command.id %> -p work --duration 43200', description: 'Refresh [work-mfa], serial from mfa_serial in [profile work] of ~/.aws/config'},
    {command: '<%= config.bin %> <%= command.id %> -p dev-admin', description: 'A role profile: assume role_arn with MFA, from the MFA session of its source_profile'},
    {command: '<%= config.bin %> <%= command.id %> --role-arn arn:aws:iam::123456789012:role/admin --no-session', description: 'Assume a role directly with the code, into [default-admin-mfa]'},
    {
      command: '<%= config.bin %> <%= command.id %> -p prod-admin',
      description: 'A role chain (source_profile of prod-admin is the role profile jump): [default-mfa], then [jump-mfa], then [prod-admin-mfa], with one code',
    },
    {command: '<%= config.bin %> <%= command.id %> --force --prompt ssh-askpass', description: 'Refresh even if still valid, asking in an ssh-askpass window'},
    {command: 'oathtool --totp -b "$MFA_SEED" | <%= config.bin %> <%= command.id %> --prompt stdin', description: 'In CI: the code from standard input (never on the command line)'},
    {command: '<%= config.bin %> <%= command.id %> --json', description: 'For scripts: the result as JSON on stdout'},
  ]
  static override flags = {
    ...refreshFlags,
    force: Flags.boolean({description: 'Refresh even if the current credentials are still valid.'}),
  }

  public async run(): Promise<RefreshJson> {
    const {flags} = await this.parse(RefreshOnce)
    return refreshOnce(flags, this.config, this.io())
  }
}
