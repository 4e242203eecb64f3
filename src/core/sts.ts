/**
 * The STS call, and what its failures mean for the user. The AWS SDK is imported here only, and
 * only when a call is made, so that commands that never call STS start fast.
 */
import {AbortedError, StsRefusedError, StsUnavailableError} from './errors.js'

export interface LongTermKeys {
  accessKeyId: string
  secretAccessKey: string
}

export interface SessionCredentials {
  accessKeyId: string
  expiration: Date
  secretAccessKey: string
  sessionToken: string
}

export interface SessionRequest {
  code: string
  durationSeconds?: number
  endpoint?: string
  keys: LongTermKeys
  profile: string
  region: string
  serial: string
  /** Abandon the call (AbortedError) when this aborts. */
  signal?: AbortSignal
}

/** Seconds to wait for a connection, and for a whole answer, per attempt. */
const CONNECT_TIMEOUT_MS = 5000
const REQUEST_TIMEOUT_MS = 15_000

const TRANSIENT_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'RequestLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
])

/** Replaces every secret in text with asterisks. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('****')
  return out
}

interface AwsErrorLike {
  $fault?: string
  $metadata?: {httpStatusCode?: number}
  code?: string
  message?: string
  name?: string
}

/** Turns whatever the SDK threw into StsRefusedError (exit 4) or StsUnavailableError (exit 5). */
export function classifyStsError(error: unknown, request: SessionRequest): StsRefusedError | StsUnavailableError {
  const e = (error ?? {}) as AwsErrorLike
  const awsCode = e.name ?? e.code ?? 'Error'
  const status = e.$metadata?.httpStatusCode
  const message = redact(String(e.message ?? awsCode), [request.code, request.keys.secretAccessKey]).trim()
  const where = request.endpoint ?? `STS in ${request.region}`

  if (status === undefined || status === 0) {
    const network = e.code ?? awsCode
    return new StsUnavailableError(
      `cannot reach ${where}: ${network === 'TimeoutError' ? 'no answer in time' : message}`,
      'check the network (and any VPN or proxy), then try again',
    )
  }

  if (status >= 500 || status === 429 || TRANSIENT_CODES.has(awsCode)) {
    return new StsUnavailableError(`STS is failing (${awsCode}, HTTP ${status}): ${message}`, 'try again in a few minutes')
  }

  if (status >= 200 && status < 300) {
    return new StsUnavailableError(`STS sent an answer that could not be read (${awsCode})`, 'try again; if it persists, check the endpoint')
  }

  const {profile} = request
  switch (awsCode) {
    case 'AccessDenied': {
      if (/one time pass ?code|invalid mfa/i.test(message)) {
        return new StsRefusedError(`STS rejected the MFA code: ${message}`, 'wait for the next code on your device and try again', awsCode, true)
      }

      return new StsRefusedError(
        `STS refused access: ${message}`,
        `check that ${request.serial} is the MFA device of the IAM user whose keys are in [${profile}], and that its policies allow sts:GetSessionToken`,
        awsCode,
        false,
      )
    }

    case 'ExpiredToken':
    case 'ExpiredTokenException': {
      return new StsRefusedError(`STS says the credentials of [${profile}] have expired: ${message}`, `put an IAM user's long-term access key into [${profile}]`, awsCode, false)
    }

    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException': {
      return new StsRefusedError(
        `STS does not know the access key in [${profile}] (${awsCode}): it is wrong, deactivated or deleted`,
        `put a valid access key into [${profile}] of the credentials file`,
        awsCode,
        false,
      )
    }

    case 'RequestExpired':
    case 'SignatureDoesNotMatch': {
      return new StsRefusedError(
        `STS rejected the request signature (${awsCode}): the secret key in [${profile}] is wrong, or this machine's clock is off`,
        'check the secret access key, and set the clock right (e.g. enable NTP)',
        awsCode,
        false,
      )
    }

    default: {
      return new StsRefusedError(`STS refused the request (${awsCode}, HTTP ${status}): ${message}`, 'check the MFA serial and duration', awsCode, false)
    }
  }
}

/** GetSessionToken with the long-term keys of the source profile. */
export async function getSessionToken(request: SessionRequest): Promise<SessionCredentials> {
  // The SDK warns about Node 20 on every run; that is not the user's concern here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const {GetSessionTokenCommand, STSClient} = await import('@aws-sdk/client-sts')
  const client = new STSClient({
    credentials: {accessKeyId: request.keys.accessKeyId, secretAccessKey: request.keys.secretAccessKey},
    endpoint: request.endpoint,
    maxAttempts: 3,
    region: request.region,
    requestHandler: {connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS},
  })
  try {
    const answer = await client.send(
      new GetSessionTokenCommand({DurationSeconds: request.durationSeconds, SerialNumber: request.serial, TokenCode: request.code}),
      {abortSignal: request.signal},
    )
    const c = answer.Credentials
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new StsUnavailableError('STS answered without complete credentials', 'try again; if it persists, check the endpoint')
    }

    return {
      accessKeyId: c.AccessKeyId, expiration: c.Expiration, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken,
    }
  } catch (error) {
    if (request.signal?.aborted) throw new AbortedError()
    if (error instanceof StsUnavailableError) throw error
    throw classifyStsError(error, request)
  } finally {
    client.destroy()
  }
}
