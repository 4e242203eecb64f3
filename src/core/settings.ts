/**
 * Flags + environment + the AWS config file -> one resolved, validated Settings object.
 * Everything that can be checked before prompting is checked here (or in the refresher's
 * pre-flight read of the credentials file), so nobody types a code that could never succeed.
 */
import os from 'node:os'
import path from 'node:path'

import {
  configSectionName, Profile, profileMap, stringValue,
} from './aws-config.js'
import {checkSectionName, readIniFile} from './credentials-file.js'
import {ConfigError, UsageError} from './errors.js'

export const DURATION_MIN = 900
export const DURATION_MAX = 129_600
export const DEFAULT_LEAD_TIME = 300
export const DEFAULT_PROMPT_TIMEOUT = 120
export const DEFAULT_LOCK_TIMEOUT = 120

/** What a command passes in: its flags, all optional. */
export interface SettingsInput {
  duration?: number
  force?: boolean
  lockTimeout?: number
  mfaSerialNumber?: string
  profile?: string
  prompt?: string
  /** KEY=VALUE options for the prompt provider (--prompt-option). */
  promptOptions?: string[]
  promptTimeout?: number
  refreshLeadTime?: number
  targetProfile?: string
  writer?: string
  /** KEY=VALUE options for the credential writer (--writer-option). */
  writerOptions?: string[]
}

export interface Settings {
  configFile: string
  credentialsFile: string
  /** Undefined: let STS choose (12 hours for IAM users). */
  durationSeconds?: number
  /** Where the duration came from, for messages. */
  durationSource?: 'config' | 'flag'
  /** An endpoint URL for STS, when one is configured (env or config), else the SDK default. */
  endpoint?: string
  force: boolean
  leadTimeSeconds: number
  /** Undefined: wait for the credentials-file lock as long as it takes. */
  lockTimeoutMs?: number
  mfaSerial: string
  mfaSerialSource: 'config' | 'flag'
  profile: string
  /** A prompt provider's name, or auto. */
  prompt: string
  /** Options for the prompt provider: mfa_creds_prompt_KEY in the config, then --prompt-option. */
  promptOptions: Record<string, string>
  promptSource: 'config' | 'default' | 'flag'
  promptTimeoutMs: number
  region: string
  targetProfile: string
  /** A credential writer's name (default: credentials-file). */
  writer: string
  writerOptions: Record<string, string>
  writerSource: 'config' | 'default' | 'flag'
}

type Env = Record<string, string | undefined>

/** botocore's expandvars + expanduser for a configured path. */
export function expandPath(value: string, env: Env): string {
  let out = value.replaceAll(/\$(\w+)|\$\{(\w+)\}/g, (whole, a?: string, b?: string) => env[(a ?? b)!] ?? whole)
  if (out === '~' || out.startsWith('~/')) out = path.join(env.HOME || os.homedir(), out.slice(1))
  return path.resolve(out)
}

export function credentialsFilePath(env: Env = process.env): string {
  const configured = env.AWS_SHARED_CREDENTIALS_FILE
  return configured ? expandPath(configured, env) : path.join(env.HOME || os.homedir(), '.aws', 'credentials')
}

export function configFilePath(env: Env = process.env): string {
  const configured = env.AWS_CONFIG_FILE
  return configured ? expandPath(configured, env) : path.join(env.HOME || os.homedir(), '.aws', 'config')
}

/** STS's own constraint on SerialNumber: 9..256 characters of [\w+=/:,.@-]. */
const SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/

export function checkSerial(serial: string): string | undefined {
  if (SERIAL_PATTERN.test(serial)) return undefined
  return 'an MFA serial is an ARN like arn:aws:iam::123456789012:mfa/alice or a hardware serial like GAHT12345678 (9-256 characters of letters, digits and +=/:,.@_-)'
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true'
}

/** The STS endpoint, with the SDK's precedence, looked up for profile P (not AWS_PROFILE). */
function resolveEndpoint(env: Env, profile: Profile | undefined, sections: Record<string, Profile>): string | undefined {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) return undefined
  const fromEnv = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL
  if (fromEnv) return fromEnv
  if (isTrue(stringValue(profile, 'ignore_configured_endpoint_urls'))) return undefined
  const servicesName = stringValue(profile, 'services')
  if (servicesName) {
    const sts = sections[`services ${servicesName}`]?.sts
    if (typeof sts === 'object' && sts.endpoint_url) return sts.endpoint_url
  }

  return stringValue(profile, 'endpoint_url') || undefined
}

function integerSetting(raw: string, key: string, where: string, min: number, max: number): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${key} = ${raw} in ${where} is not a whole number of seconds from ${min} to ${max}`, `fix ${key} in ${where}`)
  }

  return value
}

/**
 * A pluggable choice (prompt provider or writer): the flag, else mfa_creds_KIND in the profile's
 * config section, else the default; its options from mfa_creds_KIND_KEY, then KEY=VALUE flags.
 */
function extensionChoice(kind: 'prompt' | 'writer', flag: string | undefined, flagOptions: string[] | undefined, profile: Profile | undefined, fallback: string): {choice: string; options: Record<string, string>; source: 'config' | 'default' | 'flag'} {
  const key = `mfa_creds_${kind}`
  const fromConfig = stringValue(profile, key)
  const options: Record<string, string> = {}
  for (const [name, value] of Object.entries(profile ?? {})) {
    if (name.startsWith(`${key}_`) && typeof value === 'string') options[name.slice(key.length + 1)] = value
  }

  for (const option of flagOptions ?? []) {
    const m = /^([\w-]+)=(.*)$/s.exec(option)
    if (!m) throw new UsageError(`--${kind}-option ${JSON.stringify(option)} is not KEY=VALUE`, `e.g. --${kind}-option name=value`)
    options[m[1].toLowerCase()] = m[2]
  }

  let source: 'config' | 'default' | 'flag' = 'default'
  if (flag !== undefined) source = 'flag'
  else if (fromConfig !== undefined) source = 'config'
  return {choice: flag ?? fromConfig ?? fallback, options, source}
}

export async function resolveSettings(input: SettingsInput, env: Env = process.env): Promise<Settings> {
  const profile = input.profile ?? 'default'
  if (profile === '') throw new UsageError('--profile cannot be empty', 'name the profile whose long-term keys to use, e.g. --profile default')
  const targetProfile = input.targetProfile ?? `${profile}-mfa`
  const targetProblem = checkSectionName(targetProfile)
  if (targetProblem) {
    throw new UsageError(`cannot use ${JSON.stringify(targetProfile)} as the target profile: ${targetProblem}`, 'choose another name with --target-profile')
  }

  if (targetProfile === profile) {
    throw new UsageError(
      `the target profile cannot be the source profile ${profile}: its long-term keys would be overwritten`,
      `leave out --target-profile (the default is ${profile}-mfa) or choose another name`,
    )
  }

  const configFile = configFilePath(env)
  const config = await readIniFile(configFile, 'config file')
  const profileConfig = profileMap(config.view).get(profile)
  const where = `[${configSectionName(profile)}] of ${configFile}`

  let mfaSerial: string
  let mfaSerialSource: Settings['mfaSerialSource']
  if (input.mfaSerialNumber === undefined) {
    const fromConfig = stringValue(profileConfig, 'mfa_serial')
    if (!fromConfig) {
      throw new ConfigError(
        `no MFA serial for profile ${profile}`,
        `pass --mfa-serial-number arn:aws:iam::ACCOUNT:mfa/NAME, or set mfa_serial in ${where}`,
      )
    }

    const problem = checkSerial(fromConfig)
    if (problem) throw new ConfigError(`mfa_serial in ${where} is not usable: ${problem}`, `fix mfa_serial in ${where}`)
    mfaSerial = fromConfig
    mfaSerialSource = 'config'
  } else {
    const problem = checkSerial(input.mfaSerialNumber)
    if (problem) throw new UsageError(`--mfa-serial-number is not usable: ${problem}`, 'pass the serial shown in the IAM console under "Assigned MFA device"')
    mfaSerial = input.mfaSerialNumber
    mfaSerialSource = 'flag'
  }

  let durationSeconds: number | undefined
  let durationSource: Settings['durationSource']
  if (input.duration === undefined) {
    const raw = stringValue(profileConfig, 'duration_seconds')
    if (raw !== undefined && raw !== '') {
      durationSeconds = integerSetting(raw, 'duration_seconds', where, DURATION_MIN, DURATION_MAX)
      durationSource = 'config'
    }
  } else {
    if (!Number.isInteger(input.duration) || input.duration < DURATION_MIN || input.duration > DURATION_MAX) {
      throw new UsageError(`--duration must be from ${DURATION_MIN} to ${DURATION_MAX} seconds (15 minutes to 36 hours)`, 'leave it out to let STS choose')
    }

    durationSeconds = input.duration
    durationSource = 'flag'
  }

  const leadTimeSeconds = input.refreshLeadTime ?? DEFAULT_LEAD_TIME
  if (!Number.isInteger(leadTimeSeconds) || leadTimeSeconds < 0) {
    throw new UsageError('--refresh-lead-time must be a whole number of seconds, 0 or more')
  }

  const {choice: prompt, options: promptOptions, source: promptSource} = extensionChoice('prompt', input.prompt, input.promptOptions, profileConfig, 'auto')
  const {choice: writer, options: writerOptions, source: writerSource} = extensionChoice('writer', input.writer, input.writerOptions, profileConfig, 'credentials-file')

  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || stringValue(profileConfig, 'region') || 'us-east-1'
  const sections = config.view as Record<string, Profile>
  return {
    configFile,
    credentialsFile: credentialsFilePath(env),
    durationSeconds,
    durationSource,
    endpoint: resolveEndpoint(env, profileConfig, sections),
    force: input.force ?? false,
    leadTimeSeconds,
    lockTimeoutMs: input.lockTimeout === undefined ? undefined : input.lockTimeout * 1000,
    mfaSerial,
    mfaSerialSource,
    profile,
    prompt,
    promptOptions,
    promptSource,
    promptTimeoutMs: (input.promptTimeout ?? DEFAULT_PROMPT_TIMEOUT) * 1000,
    region,
    targetProfile,
    writer,
    writerOptions,
    writerSource,
  }
}
