/**
 * Flags shared by the commands that refresh (refresh-once, watch, credential-process): the seed's four,
 * with the seed's meanings and defaults, and ours. Their names are the core's names for them too
 * (SettingsInput, core/refresh/settings.ts).
 */
import {Flags, Interfaces} from '@oclif/core'

import {DEFAULT_LOCK_TIMEOUT} from '../core/files/lock.js'
import {
  DEFAULT_LEAD_TIME, DEFAULT_PROMPT_TIMEOUT, DURATION_MAX, DURATION_MIN, ROLE_DURATION_MAX,
} from '../core/refresh/settings.js'

export const refreshFlags = {
  duration: Flags.integer({
    description: `How long the credentials last, in seconds (${DURATION_MIN}-${DURATION_MAX}; for a role at most ${ROLE_DURATION_MAX} and the role's own maximum). Default: duration_seconds in the profile's config section, else STS chooses (12 hours, or 1 hour for a role).`,
    helpValue: 'SECONDS',
    max: DURATION_MAX,
    min: DURATION_MIN,
  }),
  'external-id': Flags.string({
    description: "For a role: the external ID its trust policy asks for. Default: external_id in the profile's config section.",
    helpValue: 'ID',
  }),
  'lock-timeout': Flags.integer({
    default: DEFAULT_LOCK_TIMEOUT,
    description: 'Give up (exit 75) when the credentials file lock is not had within this many seconds.',
    helpValue: 'SECONDS',
    min: 0,
  }),
  'mfa-serial-number': Flags.string({
    description: "ARN (or hardware serial) of the MFA device. Default: mfa_serial in the profile's config section.",
    helpValue: 'SERIAL',
  }),
  notify: Flags.boolean({description: 'Show a desktop notice (notify-send) just before asking for a code; nothing fails where there is none.'}),
  profile: Flags.string({
    char: 'p',
    default: 'default',
    description: 'Profile in the credentials file that holds the long-term keys, or a role profile of ~/.aws/config (role_arn + source_profile). Never taken from AWS_PROFILE.',
    helpValue: 'PROFILE',
  }),
  prompt: Flags.string({
    description: 'How to ask for the code: auto (OpenSSH\'s SSH_ASKPASS rules, then tty when there is a terminal; else, with a display, '
      + '$SSH_ASKPASS when set, osascript on macOS, else the first installed of zenity, kdialog, ssh-askpass, kdialog first in KDE), '
      + 'ssh-askpass, zenity, kdialog, osascript (macOS), tty, stdin (the next line of standard input, for scripts), '
      + 'or a plugin\'s provider (see mfa-creds providers). Default: mfa_creds_prompt in the profile\'s config section, else auto.',
    helpValue: 'NAME',
  }),
  'prompt-option': Flags.string({
    description: 'An option for the prompt provider (repeatable); also mfa_creds_prompt_KEY = VALUE in the profile\'s config section.',
    helpValue: 'KEY=VALUE',
    multiple: true,
  }),
  'prompt-timeout': Flags.integer({
    default: DEFAULT_PROMPT_TIMEOUT,
    description: 'Give up (exit 3) when no code is entered within this many seconds.',
    helpValue: 'SECONDS',
    min: 1,
  }),
  'refresh-lead-time': Flags.integer({
    default: DEFAULT_LEAD_TIME,
    description: 'Refresh when the credentials expire within this many seconds.',
    helpValue: 'SECONDS',
    min: 0,
  }),
  'role-arn': Flags.string({
    description: "Assume this role with MFA, signed with the long-term keys of PROFILE (or of its source_profile). Default: role_arn in the profile's config section.",
    helpValue: 'ARN',
  }),
  'role-session-name': Flags.string({
    description: "For a role: the session name CloudTrail shows. Default: role_session_name in the profile's config section, else mfa-creds-SECONDS.",
    helpValue: 'NAME',
  }),
  session: Flags.boolean({
    allowNo: true,
    description: 'For a role: assume it from the MFA session of the source profile, kept in [SOURCE-mfa], so that one code serves every role while that session lasts (the default; mfa_creds_session = false in the config turns it off). --no-session: AssumeRole directly with each code.',
  }),
  source: Flags.string({
    description: "Where the long-term keys of the profile (or of a role's source_profile) come from: credentials-file, keyring, command, or a plugin's source (see mfa-creds providers). Default: mfa_creds_source in that profile's config section, else credentials-file.",
    helpValue: 'NAME',
  }),
  'source-option': Flags.string({
    description: "An option for the credential source (repeatable), e.g. command=\"op read op://Private/aws/credential_process\"; also mfa_creds_source_KEY = VALUE in the keys' profile's config section.",
    helpValue: 'KEY=VALUE',
    multiple: true,
  }),
  'target-profile': Flags.string({
    description: 'Profile the credentials are written to. Default: PROFILE-mfa (PROFILE-ROLE-mfa for --role-arn on a profile with long-term keys).',
    helpValue: 'NAME',
  }),
  writer: Flags.string({
    description: "Where the session credentials go: credentials-file, or a plugin's writer (see mfa-creds providers). Default: mfa_creds_writer in the profile's config section, else credentials-file.",
    helpValue: 'NAME',
  }),
  'writer-option': Flags.string({
    description: "An option for the writer (repeatable); also mfa_creds_writer_KEY = VALUE in the profile's config section.",
    helpValue: 'KEY=VALUE',
    multiple: true,
  }),
}

/**
 * refreshFlags as a command parsed them (oclif infers the type from the definitions above). The
 * core takes them as they are (SettingsInput is keyed by these names): `resolveSettings({...flags,
 * profile})`, checked by the compiler, with no mapping in between.
 */
export type RefreshFlagValues = Interfaces.InferredFlags<typeof refreshFlags>

/** Flags shared by the `keys` commands: whose keys, and the source they are kept in. */
export const keysFlags = {
  'lock-timeout': refreshFlags['lock-timeout'],
  profile: Flags.string({
    char: 'p',
    default: 'default',
    description: 'The profile whose long-term keys these are (never a role profile: its keys are its source_profile\'s). Never taken from AWS_PROFILE.',
    helpValue: 'PROFILE',
  }),
  source: Flags.string({
    description: "Where the profile's keys are kept: credentials-file, or a source that keeps keys (see mfa-creds providers). Default: mfa_creds_source in the profile's config section, else credentials-file.",
    helpValue: 'NAME',
  }),
  'source-option': refreshFlags['source-option'],
}
