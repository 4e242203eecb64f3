/**
 * What every `keys` command works on: the profile whose long-term keys these are (never a role
 * profile: a role's keys are its source_profile's), the files, where AWS calls go, and the
 * credential source the profile's keys are (or are to be) kept in. Plus the checks on keys
 * typed in, and the test hook that pauses a command between its steps.
 */
import type {KeySource, LongTermKeys} from '../refresh/ports.js'

import {resolveSetupSettings, SetupSettings} from '../aws/mfa-device.js'
import {Env} from '../aws/paths.js'
import {
  configSectionName, OTHER_CREDENTIAL_SETTINGS, profileMap, stringValue,
} from '../aws/profiles.js'
import {readSharedFile} from '../aws/shared-file.js'
import {ConfigError, MfaCredsError, UsageError} from '../errors.js'
import {sleep} from '../time.js'

export type KeysSettings = SetupSettings

export interface KeysInput {
  lockTimeout?: number
  profile: string
  source?: string
  'source-option'?: string[]
}

/** The settings for `keys` on `profile`: refused for a role profile, whose keys are another profile's. */
export async function resolveKeysSettings(input: KeysInput, env: Env = process.env): Promise<KeysSettings> {
  if (input.profile === '') throw new UsageError('--profile cannot be empty', 'name the profile whose long-term keys these are, e.g. --profile default')
  const settings = await resolveSetupSettings(input, env)
  if (settings.sourceProfile !== settings.profile) {
    throw new ConfigError(
      `[${configSectionName(settings.profile)}] of ${settings.configFile} is a role: it is assumed with the long-term keys of ${settings.sourceProfile}, and has none of its own`,
      `run the command with -p ${settings.sourceProfile}`,
    )
  }

  return settings
}

/**
 * Refuses a profile whose config section takes its credentials from elsewhere (SSO, a process, a
 * web identity): keys kept for it would be ignored, or shadow that.
 */
export async function checkKeysProfile(settings: KeysSettings): Promise<void> {
  const config = await readSharedFile(settings.configFile, 'config file')
  const profile = profileMap(config.view).get(settings.profile)
  const setting = OTHER_CREDENTIAL_SETTINGS.find(key => stringValue(profile, key))
  if (setting) {
    throw new ConfigError(
      `[${configSectionName(settings.profile)}] of ${settings.configFile} has ${setting}: botocore takes that profile's credentials from there, so long-term keys kept for it would not be used`,
      'keep the keys for a profile of their own; nothing was changed',
    )
  }
}

/** An IAM user's access key id: AKIA and 16 letters or digits. */
const ACCESS_KEY_ID = /^AKIA[A-Z\d]{16}$/
/** What the credentials file (and every source) can hold as a secret: printable ASCII without spaces. */
const SECRET = /^[\u0021-\u007E]{16,128}$/

/** Checks keys typed in before anything keeps them; never says the secret. */
export function checkNewKeys(keys: LongTermKeys): LongTermKeys {
  const accessKeyId = keys.accessKeyId.trim()
  const secretAccessKey = keys.secretAccessKey.trim()
  if (accessKeyId.startsWith('ASIA')) {
    throw new UsageError('that access key id starts with ASIA: it belongs to session credentials, which expire; mfa-creds keeps an IAM user\'s long-term keys', 'give the access key id of an IAM user (AKIA...), as the IAM console shows it when the key is made')
  }

  if (!ACCESS_KEY_ID.test(accessKeyId)) {
    throw new UsageError(`${JSON.stringify(accessKeyId.slice(0, 24))} is not an access key id (AKIA and 16 capital letters or digits)`, 'copy the access key id of the IAM user\'s key; the secret comes second')
  }

  if (!SECRET.test(secretAccessKey)) {
    throw new UsageError('the secret access key is not 16 to 128 printable characters without spaces (it is not shown)', 'copy the secret access key of that key exactly (the IAM console shows it once, when the key is made)')
  }

  return {accessKeyId, secretAccessKey}
}

/** Refuses a source that only gives keys (command): the keys commands need one that keeps them. */
export function requireStores(source: KeySource, hint: string): void {
  if (!source.stores) throw new ConfigError(`the credential source ${source.name} cannot keep keys: it only gives them`, hint)
}

/** The keys `source` holds for `profile`, or undefined when it says it has none (or cannot say: any typed error). */
export async function heldBy(source: KeySource, profile: string, at: Parameters<KeySource['get']>[1] = {}): Promise<LongTermKeys | undefined> {
  try {
    return await source.get(profile, at)
  } catch (error) {
    if (error instanceof MfaCredsError) return undefined
    throw error
  }
}

export function sameKeys(a: LongTermKeys | undefined, b: LongTermKeys | undefined): boolean {
  return a !== undefined && b !== undefined && a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey
}

/**
 * A hook for crash tests (as MFA_CREDS_TEST_PAUSE_BEFORE_RENAME_MS is for the atomic write):
 * with MFA_CREDS_TEST_PAUSE_AT=STEP the command stops for good right after STEP, told first
 * through `announce`, so a test can kill it there.
 */
export async function testPause(step: string, announce: (step: string) => void, signal?: AbortSignal, env: Env = process.env): Promise<void> {
  announce(step)
  if (env.MFA_CREDS_TEST_PAUSE_AT === step) await sleep(600_000, signal)
}
