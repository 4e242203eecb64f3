/**
 * One AWS SDK call with credentials from the credentials file, and what a failed AWS call means
 * for the user (StsRefusedError, exit 4, or StsUnavailableError, exit 5), with every secret
 * redacted, whichever client made it (the SDK, or sts-query.ts, which throws in the SDK's shape).
 * The AWS SDK is imported only when a call is made, so that commands that never call AWS start fast.
 */
import {
  AbortedError, ConfigError, MfaCredsError, StsRefusedError, StsUnavailableError,
} from '../errors.js'
import {AssumeRoleRequest, MfaCode, StsCall} from './sts.js'

/** Seconds to wait for a connection, and for a whole answer, per attempt (MFA_CREDS_STS_TIMEOUT for slow links). */
export const CONNECT_TIMEOUT_MS = 5000
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000

/** MFA_CREDS_STS_TIMEOUT in ms (default 15 s); a ConfigError when it is not a positive number of seconds. */
export function requestTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.MFA_CREDS_STS_TIMEOUT?.trim()
  if (!raw) return DEFAULT_REQUEST_TIMEOUT_MS
  const seconds = Number(raw)
  if (!/^\d+(\.\d+)?$/.test(raw) || !(seconds > 0) || seconds > 3600) {
    throw new ConfigError(
      `MFA_CREDS_STS_TIMEOUT is ${JSON.stringify(raw.slice(0, 40))}, which is not a positive number of seconds (at most 3600)`,
      'set MFA_CREDS_STS_TIMEOUT to the seconds to wait for an answer from STS, e.g. 30, or unset it',
    )
  }

  return seconds * 1000
}

/** A URL for messages: without its userinfo (user:password@), which may be a secret. */
export function describeUrl(url: string): string {
  return url.replace(/^([a-z][\w+.-]*:\/\/)[^/?#]*@/i, '$1')
}

/** Codes that say AWS is failing or busy, not that it refused: worth another attempt, and exit 5 when none succeeds. */
export const TRANSIENT_CODES = new Set([
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

/** The codes of TRANSIENT_CODES that mean "slow down": the next attempt waits longer. */
export const THROTTLING_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException'])

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

/** Any call made with credentials read from the credentials file (STS, or IAM for setup). */
export type StsRequest = StsCall & {mfa?: MfaCode; roleArn?: string}

function isRoleRequest(request: StsRequest): request is AssumeRoleRequest {
  return 'roleArn' in request
}

/** Turns whatever the SDK threw into StsRefusedError (exit 4) or StsUnavailableError (exit 5). */
export function classifyStsError(error: unknown, request: StsRequest, service = 'STS'): StsRefusedError | StsUnavailableError {
  const e = (error ?? {}) as AwsErrorLike
  const awsCode = e.name ?? e.code ?? 'Error'
  const status = e.$metadata?.httpStatusCode
  const secrets = [request.mfa?.code, request.credentials.secretAccessKey, request.credentials.sessionToken]
  const message = redact(String(e.message ?? awsCode), secrets).trim()
  const where = request.endpoint === undefined ? `${service} in ${request.region}` : describeUrl(request.endpoint)

  if (status === undefined || status === 0) {
    const network = e.code ?? awsCode
    return new StsUnavailableError(
      `cannot reach ${where}: ${network === 'TimeoutError' || awsCode === 'TimeoutError' ? `no answer within ${requestTimeoutMs() / 1000} s` : message}`,
      'check the network (and any VPN or proxy), then try again',
    )
  }

  if (status >= 500 || status === 429 || TRANSIENT_CODES.has(awsCode)) {
    return new StsUnavailableError(`${service} is failing (${awsCode}, HTTP ${status}): ${message}`, 'try again in a few minutes')
  }

  if (status >= 200 && status < 300) {
    return new StsUnavailableError(`${service} sent an answer that could not be read (${awsCode})`, 'try again; if it persists, check the endpoint')
  }

  const profile = request.credentialsProfile
  const session = request.credentials.sessionToken !== undefined
  const role = isRoleRequest(request) ? request.roleArn : undefined
  if (awsCode === 'AccessDenied' && /one time pass ?code|invalid mfa/i.test(message)) {
    return new StsRefusedError(`STS rejected the MFA code: ${message}`, 'wait for the next code on your device and try again', awsCode, true)
  }

  if (session && ['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException'].includes(awsCode)) {
    return new StsRefusedError(
      `STS no longer accepts the MFA session in [${profile}] (${awsCode}): it has expired or was revoked`,
      `get a new one: mfa-creds refresh-once -p ${profile.replace(/-mfa$/, '')} --force`,
      awsCode,
      false,
      true,
    )
  }

  switch (awsCode) {
    case 'AccessDenied': {
      if (role) {
        return new StsRefusedError(
          `STS refused to let [${profile}] assume ${role}: ${message}`,
          `check that the role's trust policy lets this IAM user in (with MFA), and that the user's policies allow sts:AssumeRole on ${role}`,
          awsCode,
          false,
        )
      }

      if (!request.mfa) {
        return new StsRefusedError(`${service} refused access: ${message}`, `check the policies of the IAM user whose keys are in [${profile}]`, awsCode, false)
      }

      return new StsRefusedError(
        `STS refused access: ${message}`,
        `check that ${request.mfa.serial} is the MFA device of the IAM user whose keys are in [${profile}], and that its policies allow sts:GetSessionToken`,
        awsCode,
        false,
      )
    }

    case 'ExpiredToken':
    case 'ExpiredTokenException': {
      return new StsRefusedError(`${service} says the credentials of [${profile}] have expired: ${message}`, `put an IAM user's long-term access key into [${profile}]`, awsCode, false)
    }

    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException': {
      return new StsRefusedError(
        `${service} does not know the access key in [${profile}] (${awsCode}): it is wrong, deactivated or deleted`,
        `put a valid access key into [${profile}] of the credentials file`,
        awsCode,
        false,
      )
    }

    case 'RequestExpired':
    case 'SignatureDoesNotMatch': {
      return new StsRefusedError(
        `${service} rejected the request signature (${awsCode}): the secret key in [${profile}] is wrong, or this machine's clock is off`,
        'check the secret access key, and set the clock right (e.g. enable NTP)',
        awsCode,
        false,
      )
    }

    default: {
      if (role && /DurationSeconds/i.test(message)) {
        return new StsRefusedError(
          `STS refused the session length for ${role}: ${message}`,
          "lower duration_seconds (or --duration) to the role's maximum session duration (1 hour unless the role allows more)",
          awsCode,
          false,
        )
      }

      const check = role ? 'the role ARN, external_id and duration' : 'the MFA serial and duration'
      return new StsRefusedError(`${service} refused the request (${awsCode}, HTTP ${status}): ${message}`, `check ${check}`, awsCode, false)
    }
  }
}

/** An AWS SDK client's configuration for a call with credentials from the credentials file. */
export function clientConfig(request: StsCall) {
  const {accessKeyId, secretAccessKey, sessionToken} = request.credentials
  return {
    credentials: {accessKeyId, secretAccessKey, sessionToken},
    endpoint: request.endpoint,
    maxAttempts: 3,
    region: request.region,
    requestHandler: {connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: requestTimeoutMs(), throwOnRequestTimeout: true},
  }
}

export type StsModule = typeof import('@aws-sdk/client-sts')

/**
 * One call with an AWS SDK client made for it (the SDK module is loaded only now), for STS or, in
 * `setup`, IAM; whatever it throws is classified as `service`'s failure.
 */
export async function withAwsClient<M, C extends {destroy(): void}, T>(
  request: StsRequest,
  service: string,
  load: () => Promise<M>,
  make: (module: M, config: ReturnType<typeof clientConfig>) => C,
  send: (module: M, client: C) => Promise<T>,
): Promise<T> {
  // The SDK warns about Node 20 on every run; that is not the user's concern here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  const module = await load()
  const client = make(module, clientConfig(request))
  try {
    return await send(module, client)
  } catch (error) {
    throw failureOf(error, request, service)
  } finally {
    client.destroy()
  }
}

/**
 * What a failed call throws, whichever client made it: AbortedError once the caller has let go,
 * our own typed errors (the checks of the answer, a bad MFA_CREDS_STS_TIMEOUT) as they are, and
 * AWS's (or the network's) classified.
 */
export function failureOf(error: unknown, request: StsRequest, service: string): Error {
  if (request.signal?.aborted) return new AbortedError()
  if (error instanceof MfaCredsError) return error
  return classifyStsError(error, request, service)
}
