/**
 * Flags shared by the commands that refresh (refresh-once now, watch later): the seed's four,
 * with the seed's meanings and defaults, and ours.
 */
import {Flags} from '@oclif/core'

import {
  DEFAULT_LEAD_TIME, DEFAULT_LOCK_TIMEOUT, DEFAULT_PROMPT_TIMEOUT, DURATION_MAX, DURATION_MIN, SettingsInput,
} from '../core/settings.js'

export const refreshFlags = {
  duration: Flags.integer({
    description: `How long the session credentials last, in seconds (${DURATION_MIN}-${DURATION_MAX}). Default: duration_seconds in the profile's config section, else STS chooses (12 hours).`,
    helpValue: 'SECONDS',
    max: DURATION_MAX,
    min: DURATION_MIN,
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
  profile: Flags.string({
    char: 'p',
    default: 'default',
    description: 'Profile in the credentials file that holds the long-term keys (never taken from AWS_PROFILE).',
    helpValue: 'PROFILE',
  }),
  prompt: Flags.string({
    description: 'How to ask for the code: auto (tty when there is a terminal, else ssh-askpass when there is a display, by OpenSSH rules), ssh-askpass, tty, or a plugin\'s provider (see mfa-creds providers). Default: mfa_creds_prompt in the profile\'s config section, else auto.',
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
  'target-profile': Flags.string({
    description: 'Profile the session credentials are written to. Default: PROFILE-mfa.',
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

/** The values of refreshFlags as the command parsed them (watch has several profiles). */
export interface RefreshFlagValues {
  duration?: number
  force?: boolean
  'lock-timeout'?: number
  'mfa-serial-number'?: string
  prompt?: string
  'prompt-option'?: string[]
  'prompt-timeout'?: number
  'refresh-lead-time'?: number
  'target-profile'?: string
  writer?: string
  'writer-option'?: string[]
}

/** Flags -> the settings input for one profile: the same mapping for every refreshing command. */
export function settingsInput(flags: RefreshFlagValues, profile: string): SettingsInput {
  return {
    duration: flags.duration,
    force: flags.force,
    lockTimeout: flags['lock-timeout'],
    mfaSerialNumber: flags['mfa-serial-number'],
    profile,
    prompt: flags.prompt,
    promptOptions: flags['prompt-option'],
    promptTimeout: flags['prompt-timeout'],
    refreshLeadTime: flags['refresh-lead-time'],
    targetProfile: flags['target-profile'],
    writer: flags.writer,
    writerOptions: flags['writer-option'],
  }
}
