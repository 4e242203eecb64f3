/** The IAM calls: the MFA devices of the user whose keys sign (setup), the user's access keys (keys rotate), and the IAM user behind an ARN. */
import {ConfigError, StsRefusedError, StsUnavailableError} from '../errors.js'
import {withAwsClient} from './client.js'
import {configSectionName} from './profiles.js'
import {StsCall} from './sts.js'

export interface MfaDevice {
  enabled?: Date
  serial: string
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

export async function listMfaDevices(request: StsCall, userName: string | undefined): Promise<MfaDevice[]> {
  try {
    return await withIam(request, async (iam, client) => {
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

/** An access key of an IAM user, as IAM lists it (never its secret). */
export interface AccessKeyInfo {
  accessKeyId: string
  created?: Date
  status?: string
}

function withIam<T>(request: StsCall, send: (iam: typeof import('@aws-sdk/client-iam'), client: InstanceType<typeof import('@aws-sdk/client-iam').IAMClient>) => Promise<T>): Promise<T> {
  return withAwsClient(request, 'IAM', () => import('@aws-sdk/client-iam'), (iam, config) => new iam.IAMClient(config), send)
}

/** IAM ListAccessKeys: the user's access keys (at most two). */
export function listAccessKeys(request: StsCall, userName: string): Promise<AccessKeyInfo[]> {
  return withIam(request, async (iam, client) => {
    const keys: AccessKeyInfo[] = []
    let marker: string | undefined
    do {
      const page = await client.send(new iam.ListAccessKeysCommand({Marker: marker, UserName: userName}), {abortSignal: request.signal})
      for (const k of page.AccessKeyMetadata ?? []) if (k.AccessKeyId) keys.push({accessKeyId: k.AccessKeyId, created: k.CreateDate, status: k.Status})
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)

    return keys
  })
}

/** IAM CreateAccessKey: a new long-term key for the user (its secret is given this once). */
export function createAccessKey(request: StsCall, userName: string): Promise<{accessKeyId: string; created?: Date; secretAccessKey: string}> {
  return withIam(request, async (iam, client) => {
    const {AccessKey: key} = await client.send(new iam.CreateAccessKeyCommand({UserName: userName}), {abortSignal: request.signal})
    if (!key?.AccessKeyId || !key.SecretAccessKey) throw new StsUnavailableError('IAM answered CreateAccessKey without a key', 'look at the user\'s keys in the IAM console: one may have been made')
    return {accessKeyId: key.AccessKeyId, created: key.CreateDate, secretAccessKey: key.SecretAccessKey}
  })
}

/** IAM DeleteAccessKey. */
export async function deleteAccessKey(request: StsCall, userName: string, accessKeyId: string): Promise<void> {
  await withIam(request, (iam, client) => client.send(new iam.DeleteAccessKeyCommand({AccessKeyId: accessKeyId, UserName: userName}), {abortSignal: request.signal}))
}
