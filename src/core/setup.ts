/**
 * `setup`: find the MFA devices of the IAM user whose long-term keys are in the credentials file
 * (GetCallerIdentity, then IAM ListMFADevices), and write the chosen one as mfa_serial into the
 * profile's section of the config file, with the format-preserving editor, under the protocol lock.
 */
import {
  configSectionName, Profile, profileMap, profileSectionName, stringValue,
} from './aws-config.js'
import {
  editCredentials, FileTarget, readIniFile, readWhole, writeFileAtomic,
} from './credentials-file.js'
import {ConfigError, StsRefusedError, UsageError} from './errors.js'
import {readIni} from './ini.js'
import {withProtocolLock} from './lock.js'
import {sourceKeys} from './refresher.js'
import {
  configFilePath, credentialsFilePath, DEFAULT_LOCK_TIMEOUT, Env, resolveEndpoint, resolveSts,
} from './settings.js'
import {getCallerIdentity, StsCall, withAwsClient} from './sts.js'

export interface SetupSettings {
  configFile: string
  credentialsFile: string
  iamEndpoint?: string
  lockTimeoutMs?: number
  profile: string
  region: string
  /** Whose keys sign: the profile, or a role profile's source_profile. */
  sourceProfile: string
  stsEndpoint?: string
}

export interface MfaDevice {
  enabled?: Date
  serial: string
}

export interface FoundDevices {
  /** The caller, as GetCallerIdentity names it. */
  arn: string
  devices: MfaDevice[]
  /** Undefined for the account's root user. */
  userName?: string
}

export async function resolveSetupSettings(input: {lockTimeout?: number; profile: string}, env: Env = process.env): Promise<SetupSettings> {
  const configFile = configFilePath(env)
  const config = await readIniFile(configFile, 'config file')
  const sections = config.view as Record<string, Profile>
  const profileConfig = profileMap(config.view).get(input.profile)
  const where = `[${configSectionName(input.profile)}] of ${configFile}`
  const source = stringValue(profileConfig, 'role_arn') ? stringValue(profileConfig, 'source_profile') : undefined
  const sts = resolveSts(env, profileConfig, sections, where)
  return {
    configFile,
    credentialsFile: credentialsFilePath(env),
    iamEndpoint: resolveEndpoint(env, profileConfig, sections, 'iam'),
    lockTimeoutMs: input.lockTimeout === undefined ? undefined : input.lockTimeout * 1000,
    profile: input.profile,
    region: sts.region,
    sourceProfile: source || input.profile,
    stsEndpoint: sts.endpoint,
  }
}

/** `arn:aws:iam::123456789012:user/path/alice` -> alice; root -> undefined; anything else is not an IAM user. */
export function iamUserName(arn: string, profile: string): string | undefined {
  if (/^arn:aws[\w-]*:iam::\d{12}:root$/.test(arn)) return undefined
  const m = /^arn:aws[\w-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn)
  if (!m) {
    throw new ConfigError(`the keys in [${profile}] belong to ${arn}, not to an IAM user`, `put an IAM user's long-term access key into [${profile}] (aws configure --profile ${profile})`)
  }

  return m[1]
}

async function listMfaDevices(request: StsCall, userName: string | undefined): Promise<MfaDevice[]> {
  try {
    return await withAwsClient(request, 'IAM', () => import('@aws-sdk/client-iam'), (iam, config) => new iam.IAMClient(config), async (iam, client) => {
      const devices: MfaDevice[] = []
      let marker: string | undefined
      do {
        const page = await client.send(new iam.ListMFADevicesCommand({Marker: marker, UserName: userName}), {abortSignal: request.signal})
        for (const d of page.MFADevices ?? []) if (d.SerialNumber) devices.push({enabled: d.EnableDate, serial: d.SerialNumber})
        marker = page.IsTruncated ? page.Marker : undefined
      } while (marker)

      return devices
    })
  } catch (error) {
    if (error instanceof StsRefusedError && error.awsCode === 'AccessDenied') {
      throw new ConfigError(
        `IAM does not let ${userName ?? 'this user'} list their MFA devices (iam:ListMFADevices): ${error.message}`,
        `copy the device's ARN from the IAM console (Security credentials) and set mfa_serial in [${configSectionName(request.credentialsProfile)}] of the config file`,
      )
    }

    throw error
  }
}

/** Whose keys these are, and the MFA devices IAM lists for that user. */
export async function findMfaDevices(settings: SetupSettings, signal?: AbortSignal): Promise<FoundDevices> {
  const keys = sourceKeys(await readIniFile(settings.credentialsFile, 'credentials file'), settings.sourceProfile)
  const call = {
    credentials: keys, credentialsProfile: settings.sourceProfile, region: settings.region, signal,
  }
  const {arn} = await getCallerIdentity({...call, endpoint: settings.stsEndpoint})
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
  const reference = await readIniFile(settings.configFile, 'config file')
  return withProtocolLock(settings.credentialsFile, {timeoutMs: settings.lockTimeoutMs}, async () => {
    const {snapshot: config} = await readWhole(() => FileTarget.read(settings.configFile, 'config file'), 'config file', {reference}, {
      timeoutMs: settings.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000,
    })
    const section = profileSectionName(config.view, settings.profile) ?? configSectionName(settings.profile)
    const previous = stringValue(profileMap(config.view).get(settings.profile), 'mfa_serial')
    if (previous === serial) return {action: 'unchanged', previous}
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

    await writeFileAtomic(settings.configFile, text, config.mode, config.owner)
    return {action: 'written', previous}
  })
}
