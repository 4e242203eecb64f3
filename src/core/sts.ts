/**
 * The STS call, and what its failures mean for the user. The AWS SDK is imported here only, and
 * only when a call is made, so that commands that never call STS start fast.
 */
import type {SessionCredentials} from '@mfa-creds/sdk'

import {
  AbortedError, ConfigError, StsRefusedError, StsUnavailableError,
} from './errors.js'

// Session credentials are the sdk's type (@mfa-creds/sdk, requests.ts): a writer is given them.
export type {SessionCredentials} from '@mfa-creds/sdk'

export interface LongTermKeys {
  accessKeyId: string
  secretAccessKey: string
}

/** Credentials that sign an STS call: long-term keys, or the MFA session's. */
export interface Signer extends LongTermKeys {
  sessionToken?: string
}

/** Where the call goes and who signs it (for messages: the profile the signing keys come from). */
export interface StsCall {
  credentials: Signer
  /** The credentials-file section the signing credentials were read from. */
  credentialsProfile: string
  durationSeconds?: number
  endpoint?: string
  region: string
  /** Abandon the call (AbortedError) when this aborts. */
  signal?: AbortSignal
}

export interface MfaCode {
  code: string
  serial: string
}

export interface SessionRequest extends StsCall {
  mfa: MfaCode
}

export interface AssumeRoleRequest extends StsCall {
  externalId?: string
  /** With the MFA code: the role's trust policy sees MFA. Without: the signer is an MFA session. */
  mfa?: MfaCode
  roleArn: string
  sessionName: string
}

/** Seconds to wait for a connection, and for a whole answer, per attempt (MFA_CREDS_STS_TIMEOUT for slow links). */
const CONNECT_TIMEOUT_MS = 5000
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

/** Any call made with credentials read from the credentials file (STS, or IAM for setup). */
type StsRequest = StsCall & {mfa?: MfaCode; roleArn?: string}

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

type StsModule = typeof import('@aws-sdk/client-sts')

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
    if (request.signal?.aborted) throw new AbortedError()
    if (error instanceof StsUnavailableError) throw error
    throw classifyStsError(error, request, service)
  } finally {
    client.destroy()
  }
}

function withClient<T>(request: StsRequest, send: (sts: StsModule, client: InstanceType<StsModule['STSClient']>) => Promise<T>): Promise<T> {
  return withAwsClient(request, 'STS', () => import('@aws-sdk/client-sts'), (sts, config) => new sts.STSClient(config), send)
}

type CredentialsAnswer = {Credentials?: {AccessKeyId?: string; Expiration?: Date; SecretAccessKey?: string; SessionToken?: string}}

/** What the credentials file (and every reader of it) can hold as a key: printable ASCII, no spaces. */
const WRITABLE_KEY = /^[\u0021-\u007E]+$/
/** `1h 5m`, `3m 20s`, `40s`: an approximate length of time, for messages. */
function roughly(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000)
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`
  return seconds >= 60 ? `${Math.floor(seconds / 60)}m ${seconds % 60}s` : `${seconds}s`
}

function cannotWrite(what: string): StsUnavailableError {
  return new StsUnavailableError(`STS sent credentials that cannot be written: ${what}`, 'try again; if it persists, check the endpoint')
}

/**
 * Checks what STS sent before anyone writes it: keys the credentials file can hold, and an
 * expiration that is a date we can write and read back (years 1970 to 9999). Credentials that
 * have already expired by this machine's clock mean the clock is off (STS signs against its own
 * clock, and the SDK corrects for the difference, so the call itself succeeds): that is said,
 * with how far off it is when the SDK saw it in STS's Date header (`skewMs`, STS's minus ours).
 */
export function checkCredentials(c: NonNullable<CredentialsAnswer['Credentials']>, skewMs: number, now = Date.now()): SessionCredentials {
  const keys = [['access key ID', c.AccessKeyId], ['secret access key', c.SecretAccessKey], ['session token', c.SessionToken]] as const
  for (const [name, value] of keys) if (!WRITABLE_KEY.test(value ?? '')) throw cannotWrite(`the ${name} is not printable ASCII without spaces`)
  const expiration = c.Expiration
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) throw cannotWrite('the expiration is not a date')
  if (expiration.getUTCFullYear() > 9999 || expiration.getUTCFullYear() < 1970) throw cannotWrite(`the expiration is in the year ${expiration.getUTCFullYear()}`)

  const left = expiration.getTime() - now
  if (left > 0) {
    return {
      accessKeyId: c.AccessKeyId!, expiration, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!,
    }
  }

  const whose = Math.abs(skewMs) >= 300_000
    ? `this machine's clock is ${roughly(skewMs)} ${skewMs < 0 ? 'ahead of' : 'behind'} STS's`
    : `this machine's clock (or STS's) is off by more than ${roughly(left)}`
  throw new StsUnavailableError(
    `STS sent credentials that expired ${roughly(left)} ago by this machine's clock: ${whose}`,
    'set the clock right (e.g. enable NTP: timedatectl set-ntp true), then try again',
  )
}

/** A call that answers with credentials, checked to be complete and writable. */
function call(request: StsRequest, send: (sts: StsModule, client: InstanceType<StsModule['STSClient']>) => Promise<CredentialsAnswer>): Promise<SessionCredentials> {
  return withClient(request, async (sts, client) => {
    const c = (await send(sts, client)).Credentials
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new StsUnavailableError('STS answered without complete credentials', 'try again; if it persists, check the endpoint')
    }

    // The SDK's estimate of STS's clock minus ours, from the Date header (ms).
    const skewMs = Number((client.config as {systemClockOffset?: number}).systemClockOffset) || 0
    return checkCredentials(c, skewMs)
  })
}

/** GetSessionToken with the long-term keys of the source profile and an MFA code. */
export function getSessionToken(request: SessionRequest): Promise<SessionCredentials> {
  return call(request, (sts, client) => client.send(
    new sts.GetSessionTokenCommand({DurationSeconds: request.durationSeconds, SerialNumber: request.mfa.serial, TokenCode: request.mfa.code}),
    {abortSignal: request.signal},
  ))
}

/** AssumeRole: with an MFA code and long-term keys, or signed by an MFA session (no code). */
export function assumeRole(request: AssumeRoleRequest): Promise<SessionCredentials> {
  return call(request, (sts, client) => client.send(
    new sts.AssumeRoleCommand({
      DurationSeconds: request.durationSeconds,
      ExternalId: request.externalId,
      RoleArn: request.roleArn,
      RoleSessionName: request.sessionName,
      SerialNumber: request.mfa?.serial,
      TokenCode: request.mfa?.code,
    }),
    {abortSignal: request.signal},
  ))
}

/** Who the long-term keys belong to: GetCallerIdentity (needs no permission). */
export function getCallerIdentity(request: StsCall): Promise<{account: string; arn: string}> {
  return withClient(request, async (sts, client) => {
    const answer = await client.send(new sts.GetCallerIdentityCommand({}), {abortSignal: request.signal})
    return {account: answer.Account ?? '', arn: answer.Arn ?? ''}
  })
}
