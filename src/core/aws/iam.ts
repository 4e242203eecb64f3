/** The one IAM call: the MFA devices of the user whose keys sign (for setup), and the IAM user behind an ARN. */
import {ConfigError, StsRefusedError} from '../errors.js'
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
