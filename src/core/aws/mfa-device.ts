/**
 * `setup`: find the MFA devices of the IAM user whose long-term keys are in the credentials file
 * (GetCallerIdentity, then IAM ListMFADevices), and write the chosen one as mfa_serial into the
 * profile's section of the config file, with the format-preserving editor, under the protocol lock.
 */
import {UsageError} from '../errors.js'
import {editCredentials} from '../ini/edit.js'
import {readIni} from '../ini/parse.js'
import {resolveEndpoint, resolveSts} from './endpoints.js'
import {iamUserName, listMfaDevices, MfaDevice} from './iam.js'
import {configFilePath, credentialsFilePath, Env} from './paths.js'
import {
  configSectionName, KeySourceChoice, keySourceChoice, Profile, profileMap, profileSectionName, sourceProfileOf, stringValue,
} from './profiles.js'
import {readSharedFile, staticKeysIn, updateSharedFile} from './shared-file.js'
import {getCallerIdentity, LongTermKeys} from './sts.js'

export interface SetupSettings extends KeySourceChoice {
  configFile: string
  credentialsFile: string
  iamEndpoint?: string
  lockTimeoutMs?: number
  profile: string
  region: string
  /** Whose keys sign: the profile, or a role profile's source_profile. */
  sourceProfile: string
  stsEndpoint?: string
  /** STS through the AWS SDK (resolveSts). */
  stsViaSdk?: true
}

export interface FoundDevices {
  /** The caller, as GetCallerIdentity names it. */
  arn: string
  devices: MfaDevice[]
  /** Undefined for the account's root user. */
  userName?: string
}

export async function resolveSetupSettings(input: {lockTimeout?: number; profile: string; source?: string; 'source-option'?: string[]}, env: Env = process.env): Promise<SetupSettings> {
  const configFile = configFilePath(env)
  const config = await readSharedFile(configFile, 'config file')
  const sections = config.view as Record<string, Profile>
  const profiles = profileMap(config.view)
  const profileConfig = profiles.get(input.profile)
  const where = `[${configSectionName(input.profile)}] of ${configFile}`
  const sourceProfile = sourceProfileOf(input.profile, profiles, name => `[${configSectionName(name)}] of ${configFile}`, {staticKeys: await staticKeysIn(credentialsFilePath(env), true)})
  const sts = resolveSts(env, profileConfig, sections, where)
  return {
    configFile,
    credentialsFile: credentialsFilePath(env),
    iamEndpoint: resolveEndpoint(env, profileConfig, sections, 'iam'),
    ...keySourceChoice(input, profiles.get(sourceProfile)),
    lockTimeoutMs: input.lockTimeout === undefined ? undefined : input.lockTimeout * 1000,
    profile: input.profile,
    region: sts.region,
    sourceProfile,
    stsEndpoint: sts.endpoint,
    ...(sts.viaSdk && {stsViaSdk: true}),
  }
}

/** Whose keys these are, and the MFA devices IAM lists for that user. */
export async function findMfaDevices(settings: SetupSettings, keys: LongTermKeys, signal?: AbortSignal): Promise<FoundDevices> {
  const call = {
    credentials: keys, credentialsProfile: settings.sourceProfile, region: settings.region, signal,
  }
  const {arn} = await getCallerIdentity({...call, endpoint: settings.stsEndpoint, viaSdk: settings.stsViaSdk})
  const userName = iamUserName(arn, settings.sourceProfile)
  const devices = await listMfaDevices({...call, endpoint: settings.iamEndpoint}, userName)
  return {arn, devices, userName}
}

/**
 * Sets mfa_serial in the profile's config section (the one botocore reads, else a new one at the
 * end). Everything else in the file stays byte for byte; a different serial already there is only
 * replaced with `force`. Under the protocol lock, re-reading the file inside it.
 */
export async function saveMfaSerial(settings: SetupSettings, serial: string, force: boolean): Promise<{action: 'unchanged' | 'written'; previous?: string}> {
  // Read once before the lock too: a tool rewriting the config in place, ignoring the lock, is
  // then seen losing what was there, and waited for (readWhole), instead of copied half-written.
  const reference = await readSharedFile(settings.configFile, 'config file')
  return updateSharedFile<{action: 'unchanged' | 'written'; previous?: string}>(settings.configFile, {
    check: {reference}, credentialsFile: settings.credentialsFile, lockTimeoutMs: settings.lockTimeoutMs, what: 'config file',
  }, config => {
    const section = profileSectionName(config.view, settings.profile) ?? configSectionName(settings.profile)
    const previous = stringValue(profileMap(config.view).get(settings.profile), 'mfa_serial')
    if (previous === serial) return {result: {action: 'unchanged', previous}}
    if (previous && !force) {
      throw new UsageError(
        `[${section}] of ${settings.configFile} already has mfa_serial = ${previous}`,
        `pass --force to replace it with ${serial}`,
      )
    }

    const text = editCredentials(config, section, [['mfa_serial', serial]], 'config file')
    if (stringValue(profileMap(readIni(text).view).get(settings.profile), 'mfa_serial') !== serial) {
      throw new UsageError(`the AWS CLI could not find profile ${JSON.stringify(settings.profile)} under a [${section}] header`, 'use a profile name without spaces or quotes')
    }

    return {result: {action: 'written', previous}, text}
  })
}
