/**
 * The STS calls (GetSessionToken, AssumeRole, GetCallerIdentity), each made by our own Query
 * client (sts-query.ts) where its endpoint is certain, else by the AWS SDK; and the check of what
 * STS sends back before it is written.
 */
import type {LongTermKeys, SessionCredentials} from '@mfa-creds/sdk'

import {StsUnavailableError} from '../errors.js'
import {parseExpiration} from '../time.js'
import {
  failureOf, StsModule, StsRequest, withAwsClient,
} from './client.js'
import {defaultStsEndpoint} from './endpoints.js'
import {callSts, QueryAnswer, StsTarget} from './sts-query.js'
import {childAt} from './xml.js'

// Session credentials are the sdk's type (@mfa-creds/sdk, requests.ts): a writer is given them.
export type {LongTermKeys, SessionCredentials} from '@mfa-creds/sdk'

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
  /** Make the call through the AWS SDK (resolveSts says when: FIPS, dual-stack, MFA_CREDS_STS_CLIENT=sdk). */
  viaSdk?: boolean
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

/**
 * Where our own client sends a call: the configured endpoint, signed for the request's region, or
 * the SDK's default for the region. Undefined: the SDK makes the call (FIPS, dual-stack,
 * MFA_CREDS_STS_CLIENT=sdk, a partition whose endpoint we do not know for certain).
 */
export function queryTarget(request: StsCall): StsTarget | undefined {
  if (request.viaSdk) return undefined
  return request.endpoint === undefined ? defaultStsEndpoint(request.region) : {signingRegion: request.region, url: request.endpoint}
}

interface QueryCall {
  action: string
  parameters: Record<string, number | string | undefined>
}

/** One action through our own client, its failures classified as the SDK's are. */
async function query<T>(request: StsRequest, target: StsTarget, {action, parameters}: QueryCall, read: (answer: QueryAnswer) => T): Promise<T> {
  try {
    return read(await callSts(request, target, action, parameters))
  } catch (error) {
    throw failureOf(error, request, 'STS')
  }
}

/** Credentials complete and writable, with STS's clock minus ours (ms) for the message when they have already expired. */
function credentialsOf(c: CredentialsAnswer['Credentials'], skewMs: number): SessionCredentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new StsUnavailableError('STS answered without complete credentials', 'try again; if it persists, check the endpoint')
  }

  return checkCredentials(c, skewMs)
}

/** The Credentials of a Query answer; an Expiration that is no date is unreadable, as the SDK finds it. */
function queryCredentials({result, skewMs}: QueryAnswer): SessionCredentials {
  const element = childAt(result, 'Credentials')
  if (!element) return credentialsOf(undefined, skewMs)
  const text = (name: string) => childAt(element, name)?.text
  const expirationText = text('Expiration')
  const expiration = expirationText === undefined ? undefined : parseExpiration(expirationText)
  if (expirationText !== undefined && !expiration) {
    throw Object.assign(new Error('the Expiration is not an RFC 3339 date'), {$metadata: {httpStatusCode: 200}, name: 'TypeError'})
  }

  return credentialsOf({
    AccessKeyId: text('AccessKeyId'), Expiration: expiration, SecretAccessKey: text('SecretAccessKey'), SessionToken: text('SessionToken'),
  }, skewMs)
}

/** A call that answers with credentials, checked to be complete and writable. */
function call(request: StsRequest, send: (sts: StsModule, client: InstanceType<StsModule['STSClient']>) => Promise<CredentialsAnswer>): Promise<SessionCredentials> {
  return withClient(request, async (sts, client) => {
    const answer = await send(sts, client)
    // The SDK's estimate of STS's clock minus ours, from the Date header (ms).
    const skewMs = Number((client.config as {systemClockOffset?: number}).systemClockOffset) || 0
    return credentialsOf(answer.Credentials, skewMs)
  })
}

/** GetSessionToken with the long-term keys of the source profile and an MFA code. */
export function getSessionToken(request: SessionRequest): Promise<SessionCredentials> {
  const target = queryTarget(request)
  if (target) {
    const parameters = {DurationSeconds: request.durationSeconds, SerialNumber: request.mfa.serial, TokenCode: request.mfa.code}
    return query(request, target, {action: 'GetSessionToken', parameters}, queryCredentials)
  }

  return call(request, (sts, client) => client.send(
    new sts.GetSessionTokenCommand({DurationSeconds: request.durationSeconds, SerialNumber: request.mfa.serial, TokenCode: request.mfa.code}),
    {abortSignal: request.signal},
  ))
}

/** AssumeRole: with an MFA code and long-term keys, or signed by an MFA session (no code). */
export function assumeRole(request: AssumeRoleRequest): Promise<SessionCredentials> {
  const parameters = {
    RoleArn: request.roleArn,
    RoleSessionName: request.sessionName,
    // eslint-disable-next-line perfectionist/sort-objects -- the order the SDK writes them in
    DurationSeconds: request.durationSeconds,
    ExternalId: request.externalId,
    SerialNumber: request.mfa?.serial,
    TokenCode: request.mfa?.code,
  }
  const target = queryTarget(request)
  if (target) return query(request, target, {action: 'AssumeRole', parameters}, queryCredentials)
  return call(request, (sts, client) => client.send(new sts.AssumeRoleCommand(parameters), {abortSignal: request.signal}))
}

/** Who the long-term keys belong to: GetCallerIdentity (needs no permission). */
export function getCallerIdentity(request: StsCall): Promise<{account: string; arn: string}> {
  const target = queryTarget(request)
  if (target) {
    const identity = ({result}: QueryAnswer) => ({account: childAt(result, 'Account')?.text ?? '', arn: childAt(result, 'Arn')?.text ?? ''})
    return query(request, target, {action: 'GetCallerIdentity', parameters: {}}, identity)
  }

  return withClient(request, async (sts, client) => {
    const answer = await client.send(new sts.GetCallerIdentityCommand({}), {abortSignal: request.signal})
    return {account: answer.Account ?? '', arn: answer.Arn ?? ''}
  })
}
