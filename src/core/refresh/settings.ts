/**
 * Flags + environment + the AWS config file -> one resolved, validated Settings object.
 * Everything that can be checked before prompting is checked here (or in the refresher's
 * pre-flight read of the credentials file), so nobody types a code that could never succeed.
 */
import {resolveSts} from '../aws/endpoints.js'
import {configFilePath, credentialsFilePath, Env} from '../aws/paths.js'
import {
  configSectionName, extensionChoice, KeySourceChoice, keySourceChoice, OTHER_CREDENTIAL_SETTINGS, Profile, profileMap, roleChain, stringValue,
} from '../aws/profiles.js'
import {readSharedFile, staticKeysIn} from '../aws/shared-file.js'
import {ConfigError, InternalError, UsageError} from '../errors.js'
import {checkSectionName} from '../ini/edit.js'

export const DURATION_MIN = 900
export const DURATION_MAX = 129_600
/** AssumeRole's upper limit; the role's own maximum (1 hour by default) may be lower. */
export const ROLE_DURATION_MAX = 43_200
/**
 * A role assumed with another role's credentials (role chaining): AWS limits its session to one
 * hour, and refuses a longer DurationSeconds.
 */
export const CHAINED_DURATION_MAX = 3600
export const DEFAULT_LEAD_TIME = 300
export const DEFAULT_PROMPT_TIMEOUT = 120

/**
 * What a command passes in: its parsed flags, all optional, under the flags' own names
 * (src/cli/flags.ts), so that a command hands `{...flags, profile}` straight in and the type
 * checker holds the two together: there is no second spelling to map.
 */
export interface SettingsInput {
  duration?: number
  'external-id'?: string
  force?: boolean
  'lock-timeout'?: number
  'mfa-serial-number'?: string
  profile?: string
  prompt?: string
  /** KEY=VALUE options for the prompt provider. */
  'prompt-option'?: string[]
  'prompt-timeout'?: number
  'refresh-lead-time'?: number
  'role-arn'?: string
  'role-session-name'?: string
  /** For a role: assume it from the source profile's MFA session (default) or directly with the code. */
  session?: boolean
  /** Where the long-term keys come from: a credential source's name. */
  source?: string
  /** KEY=VALUE options for the credential source. */
  'source-option'?: string[]
  'target-profile'?: string
  writer?: string
  /** KEY=VALUE options for the credential writer. */
  'writer-option'?: string[]
}

/** What one refresh needs (the refresher's input): whose keys, which device, where to, for how long. */
export interface RefreshSettings {
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
  promptTimeoutMs: number
  region: string
  /** Set when the target holds a role's credentials. */
  role?: RoleSettings
  /** The profile whose long-term keys sign: the profile itself, or a role's source_profile. */
  sourceProfile: string
  targetProfile: string
  /** STS is called through the AWS SDK (FIPS, dual-stack, MFA_CREDS_STS_CLIENT=sdk), not by our own client. */
  viaSdk?: true
}

/** Resolved settings: a refresh's, and the credential source, prompt provider and writer a command resolves for it (src/cli/ports.ts). */
export interface Settings extends KeySourceChoice, RefreshSettings {
  /** A prompt provider's name, or auto. */
  prompt: string
  /** Options for the prompt provider: mfa_creds_prompt_KEY in the config, then --prompt-option. */
  promptOptions: Record<string, string>
  promptSource: 'config' | 'default' | 'flag'
  /** A credential writer's name (default: credentials-file). */
  writer: string
  writerOptions: Record<string, string>
  writerSource: 'config' | 'default' | 'flag'
}

/**
 * The MFA session of the source profile that a role is assumed from, kept in a target of its own:
 * what differs from the role's own refresh (sessionSettings makes the session's refresh from both).
 */
export interface MfaSession {
  durationSeconds?: number
  durationSource?: 'config' | 'flag'
  targetProfile: string
}

export interface RoleSettings {
  arn: string
  /**
   * Set for a role whose source_profile is itself a role (a role chain): that role's own refresh,
   * as `refresh-once -p SOURCE` resolves it (into [SOURCE-mfa], from its own config section), whose
   * credentials assume this one. With `session`, that hop is refreshed first when due and kept in
   * its target; without, it is assumed on the way with the code, and nothing of it is kept.
   */
  chained?: RefreshSettings
  externalId?: string
  /**
   * What the role is assumed from without a code: the MFA session of the source profile (one code
   * for every role while the session lasts), or for a chained role the hop below's target.
   * Undefined: AssumeRole directly with the code, signed by the long-term keys.
   */
  session?: MfaSession
  /** Undefined: mfa-creds-SECONDS, new for each call. */
  sessionName?: string
}

/**
 * The refresh whose target a role is assumed from without a code: for a chained role the hop
 * below (a role itself); else the MFA session, the source profile's keys and device into the
 * session's own target.
 */
export function sessionSettings(settings: RefreshSettings): RefreshSettings {
  const {role, ...common} = settings
  if (!role?.session) throw new InternalError('sessionSettings: the role is not assumed from an MFA session')
  if (role.chained) return {...role.chained, force: false}
  const {durationSeconds, durationSource, targetProfile} = role.session
  return {
    ...common, durationSeconds, durationSource, force: false, profile: settings.sourceProfile, targetProfile,
  }
}

/** STS's own constraint on SerialNumber: 9..256 characters of [\w+=/:,.@-]. */
const SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/

export function checkSerial(serial: string): string | undefined {
  if (SERIAL_PATTERN.test(serial)) return undefined
  return 'an MFA serial is an ARN like arn:aws:iam::123456789012:mfa/alice or a hardware serial like GAHT12345678 (9-256 characters of letters, digits and +=/:,.@_-)'
}

function integerSetting(raw: string, key: string, where: string, min: number, max: number): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(`${key} = ${raw} in ${where} is not a whole number of seconds from ${min} to ${max}`, `fix ${key} in ${where}`)
  }

  return value
}

/** AssumeRole's parameters: where each comes from, and STS's constraint on it. */
const ROLE_PARAMETERS = {
  arn: {
    flag: '--role-arn', key: 'role_arn', pattern: /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, what: 'role ARN (arn:aws:iam::ACCOUNT:role/NAME)',
  },
  externalId: {
    flag: '--external-id', key: 'external_id', pattern: /^[\w+=,.@:/-]{2,1224}$/, what: 'external ID (2-1224 characters of letters, digits and +=,.@:/-)',
  },
  sessionName: {
    flag: '--role-session-name', key: 'role_session_name', pattern: /^[\w+=,.@-]{2,64}$/, what: 'role session name (2-64 characters of letters, digits and +=,.@_-)',
  },
}

/** A role parameter from its flag, else the profile's config key, checked against STS's constraint. */
function roleSetting(name: keyof typeof ROLE_PARAMETERS, fromFlag: string | undefined, profile: Profile | undefined, where: string): string | undefined {
  const {flag, key, pattern, what} = ROLE_PARAMETERS[name]
  const value = fromFlag ?? (stringValue(profile, key) || undefined)
  if (value === undefined || pattern.test(value)) return value
  const problem = `${JSON.stringify(value)} is not a valid ${what}`
  throw fromFlag === undefined ? new ConfigError(`${key} in ${where}: ${problem}`, `fix it in ${where}`) : new UsageError(`${flag}: ${problem}`)
}

function isFalse(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'false'
}

/** A duration from the flag or a config section, within STS's limits for the call it is for. */
function resolveDuration(flag: number | undefined, section: Profile | undefined, where: string, max: number, what: string): Pick<Settings, 'durationSeconds' | 'durationSource'> {
  if (flag !== undefined) {
    if (!Number.isInteger(flag) || flag < DURATION_MIN || flag > max) {
      throw new UsageError(`--duration must be from ${DURATION_MIN} to ${max} seconds for ${what}`, 'leave it out to let STS choose')
    }

    return {durationSeconds: flag, durationSource: 'flag'}
  }

  const raw = stringValue(section, 'duration_seconds')
  if (raw === undefined || raw === '') return {}
  return {durationSeconds: integerSetting(raw, 'duration_seconds', where, DURATION_MIN, max), durationSource: 'config'}
}

/**
 * A role's duration: up to 12 hours, or for a chained role (assumed with another role's
 * credentials) up to the one hour AWS allows there, refused before any prompt.
 */
function roleDuration(flag: number | undefined, section: Profile | undefined, where: string, chained: boolean): Pick<Settings, 'durationSeconds' | 'durationSource'> {
  if (!chained) return resolveDuration(flag, section, where, ROLE_DURATION_MAX, 'a role (at most 12 hours)')
  const raw = stringValue(section, 'duration_seconds')
  if (flag === undefined && /^\d+$/.test(raw ?? '') && Number(raw) > CHAINED_DURATION_MAX) {
    throw new ConfigError(
      `duration_seconds = ${raw} in ${where} is longer than AWS allows this role: it is assumed with another role's credentials (role chaining), and AWS limits such a role session to one hour (${CHAINED_DURATION_MAX} seconds)`,
      `set duration_seconds to at most ${CHAINED_DURATION_MAX} in ${where}, or leave it out (STS then gives one hour)`,
    )
  }

  return resolveDuration(flag, section, where, CHAINED_DURATION_MAX, 'a role assumed from another role (role chaining: at most 1 hour)')
}

function checkTarget(targetProfile: string, sourceProfile: string, profile: string): void {
  const targetProblem = checkSectionName(targetProfile)
  if (targetProblem) {
    throw new UsageError(`cannot use ${JSON.stringify(targetProfile)} as the target profile: ${targetProblem}`, 'choose another name with --target-profile')
  }

  if (targetProfile === sourceProfile || targetProfile === profile) {
    throw new UsageError(
      targetProfile === sourceProfile
        ? `the target profile cannot be the source profile ${sourceProfile}: its long-term keys would be overwritten`
        : `the target profile cannot be the role profile ${profile} itself`,
      `leave out --target-profile (the default is ${profile}-mfa) or choose another name`,
    )
  }
}

/**
 * What a target must never be, as the config file tells: a profile whose credentials botocore
 * takes from elsewhere (a role, SSO, web identity: the keys written would be ignored), one that
 * holds long-term keys in the config file (they would be shadowed), or the source_profile of a
 * role (a role's source profile holds the long-term keys it is assumed with).
 */
function checkTargetConfig(targetProfile: string, profiles: Map<string, Profile>, configFile: string): void {
  const where = `[${configSectionName(targetProfile)}] of ${configFile}`
  const own = profiles.get(targetProfile)
  const setting = OTHER_CREDENTIAL_SETTINGS.find(key => stringValue(own, key))
  if (setting) {
    throw new ConfigError(
      `cannot write session credentials into [${targetProfile}]: ${where} has ${setting}, so botocore takes that profile's credentials from there (or, for credential_process, would never run it again once keys are in the file)`,
      'choose another --target-profile (the default is PROFILE-mfa)',
    )
  }

  if (stringValue(own, 'aws_access_key_id')) {
    throw new ConfigError(
      `cannot write session credentials into [${targetProfile}]: ${where} holds long-term keys, which they would shadow`,
      'choose another --target-profile (the default is PROFILE-mfa)',
    )
  }

  for (const [name, section] of profiles) {
    if (name !== targetProfile && stringValue(section, 'role_arn') && stringValue(section, 'source_profile') === targetProfile) {
      throw new ConfigError(
        `cannot write session credentials into [${targetProfile}]: it is the source_profile of [${configSectionName(name)}] in ${configFile}, which is assumed with the long-term keys kept there`,
        `for that role run: mfa-creds refresh-once -p ${name} (it writes [${name}-mfa]); or choose another --target-profile`,
      )
    }
  }
}

export async function resolveSettings(input: SettingsInput, env: Env = process.env): Promise<Settings> {
  const profile = input.profile ?? 'default'
  if (profile === '') throw new UsageError('--profile cannot be empty', 'name the profile whose long-term keys to use, e.g. --profile default')

  const configFile = configFilePath(env)
  const config = await readSharedFile(configFile, 'config file')
  const profiles = profileMap(config.view)
  const profileConfig = profiles.get(profile)
  const where = `[${configSectionName(profile)}] of ${configFile}`

  // A role: role_arn (and source_profile, whose long-term keys sign) in the config, or --role-arn;
  // a source_profile that is itself a role is the next hop of a chain, down to the keys.
  const roleArn = roleSetting('arn', input['role-arn'], profileConfig, where)
  const whereOf = (name: string) => `[${configSectionName(name)}] of ${configFile}`
  const credentialsFile = credentialsFilePath(env)
  const sourceIsRole = [...profiles.values()].some(p => stringValue(profiles.get(stringValue(p, 'source_profile') ?? ''), 'role_arn'))
  const staticKeys = await staticKeysIn(credentialsFile, sourceIsRole)
  const chain = roleChain(profile, profiles, whereOf, {roleFromFlag: input['role-arn'] !== undefined, staticKeys})
  const sourceProfile = chain.at(-1)!
  const sourceConfig = profiles.get(sourceProfile)
  const roleName = roleArn?.split('/').at(-1)
  const targetProfile = input['target-profile'] ?? (roleArn !== undefined && sourceProfile === profile ? `${profile}-${roleName}-mfa` : `${profile}-mfa`)
  checkTarget(targetProfile, sourceProfile, profile)
  checkTargetConfig(targetProfile, profiles, configFile)
  // The roles between the target's and the keys: each is refreshed into [ROLE-mfa], checked as a target is.
  const hops = chain.slice(1, -1)
  for (const hop of hops) {
    const hopTarget = `${hop}-mfa`
    if (targetProfile === hopTarget || chain.includes(hopTarget)) {
      throw new UsageError(
        `[${hopTarget}] cannot be the target of ${profile}: it holds the credentials of the role ${hop} that ${profile} is assumed from (role chain ${chain.join(' -> ')})`,
        'choose another --target-profile',
      )
    }

    checkTargetConfig(hopTarget, profiles, configFile)
  }

  if (chain.slice(1).includes(targetProfile)) {
    throw new UsageError(`the target profile cannot be ${targetProfile}: it is on the role chain ${chain.join(' -> ')}`, `leave out --target-profile (the default is ${profile}-mfa) or choose another name`)
  }

  let mfaSerial: string
  let mfaSerialSource: Settings['mfaSerialSource']
  if (input['mfa-serial-number'] === undefined) {
    // The first mfa_serial from the target's profile down the chain to the keys' profile: one code for all of it.
    const serialFrom = chain.find(name => stringValue(profiles.get(name), 'mfa_serial')) ?? profile
    const serialWhere = whereOf(serialFrom)
    const fromConfig = stringValue(profiles.get(serialFrom), 'mfa_serial')
    if (!fromConfig) {
      throw new ConfigError(
        `no MFA serial for profile ${profile}`,
        `pass --mfa-serial-number arn:aws:iam::ACCOUNT:mfa/NAME, set mfa_serial in ${where}, or run: mfa-creds setup -p ${sourceProfile}`,
      )
    }

    const problem = checkSerial(fromConfig)
    if (problem) throw new ConfigError(`mfa_serial in ${serialWhere} is not usable: ${problem}`, `fix mfa_serial in ${serialWhere}`)
    mfaSerial = fromConfig
    mfaSerialSource = 'config'
  } else {
    const problem = checkSerial(input['mfa-serial-number'])
    if (problem) throw new UsageError(`--mfa-serial-number is not usable: ${problem}`, 'pass the serial shown in the IAM console under "Assigned MFA device"')
    mfaSerial = input['mfa-serial-number']
    mfaSerialSource = 'flag'
  }

  const duration = roleArn === undefined
    ? resolveDuration(input.duration, profileConfig, where, DURATION_MAX, 'a session')
    : roleDuration(input.duration, profileConfig, where, hops.length > 0)

  const leadTimeSeconds = input['refresh-lead-time'] ?? DEFAULT_LEAD_TIME
  if (!Number.isInteger(leadTimeSeconds) || leadTimeSeconds < 0) {
    throw new UsageError('--refresh-lead-time must be a whole number of seconds, 0 or more')
  }

  const {choice: prompt, options: promptOptions, source: promptSource} = extensionChoice('prompt', input.prompt, input['prompt-option'], profileConfig, 'auto')
  const {choice: writer, options: writerOptions, source: writerSource} = extensionChoice('writer', input.writer, input['writer-option'], profileConfig, 'credentials-file')

  const settings: Settings = {
    configFile,
    credentialsFile,
    ...duration,
    ...resolveSts(env, profileConfig, config.view as Record<string, Profile>, where, configFile),
    force: input.force ?? false,
    ...keySourceChoice(input, sourceConfig),
    leadTimeSeconds,
    lockTimeoutMs: input['lock-timeout'] === undefined ? undefined : input['lock-timeout'] * 1000,
    mfaSerial,
    mfaSerialSource,
    profile,
    prompt,
    promptOptions,
    promptSource,
    promptTimeoutMs: (input['prompt-timeout'] ?? DEFAULT_PROMPT_TIMEOUT) * 1000,
    sourceProfile,
    targetProfile,
    writer,
    writerOptions,
    writerSource,
  }
  if (roleArn === undefined) return settings

  // One mode for the whole chain: the target profile's mfa_creds_session, or --[no-]session.
  const useSession = input.session ?? !isFalse(stringValue(profileConfig, 'mfa_creds_session'))
  const sessionTarget = `${sourceProfile}-mfa`
  if (useSession && targetProfile === sessionTarget) {
    throw new UsageError(
      `the role's credentials cannot go to [${sessionTarget}]: that is where the MFA session of ${sourceProfile} they are assumed from is kept`,
      'choose another --target-profile, or pass --no-session to assume the role directly with the code',
    )
  }

  // The hop below a role: the next role of the chain, as `refresh-once -p HOP` resolves it; the
  // flags (--role-*, --external-id, --duration, --target-profile) are the target's alone.
  const shared = {
    configFile, credentialsFile: settings.credentialsFile, endpoint: settings.endpoint, leadTimeSeconds, lockTimeoutMs: settings.lockTimeoutMs,
    mfaSerial, mfaSerialSource, promptTimeoutMs: settings.promptTimeoutMs, region: settings.region, sourceProfile, viaSdk: settings.viaSdk,
  }
  const below = (index: number): Pick<RoleSettings, 'chained' | 'session'> => {
    if (index >= chain.length - 1) {
      return {session: useSession ? {...resolveDuration(undefined, sourceConfig, whereOf(sourceProfile), DURATION_MAX, 'a session'), targetProfile: sessionTarget} : undefined}
    }

    const name = chain[index]
    const config = profiles.get(name)
    const chained: RefreshSettings = {
      ...shared,
      ...roleDuration(undefined, config, whereOf(name), index + 1 < chain.length - 1),
      force: false,
      profile: name,
      role: {
        arn: roleSetting('arn', undefined, config, whereOf(name))!,
        externalId: roleSetting('externalId', undefined, config, whereOf(name)),
        ...below(index + 1),
        sessionName: roleSetting('sessionName', undefined, config, whereOf(name)),
      },
      targetProfile: `${name}-mfa`,
    }
    return {chained, session: useSession ? {targetProfile: chained.targetProfile} : undefined}
  }

  settings.role = {
    arn: roleArn,
    externalId: roleSetting('externalId', input['external-id'], profileConfig, where),
    ...below(1),
    sessionName: roleSetting('sessionName', input['role-session-name'], profileConfig, where),
  }
  return settings
}
