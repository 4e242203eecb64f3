/**
 * STS over its Query protocol without the AWS SDK's client (whose import alone costs some 50 ms,
 * as much as the rest of a refresh): a form POST signed by the SDK's own SignatureV4, sent with
 * node:http(s), retried as the SDK's standard mode retries, with the SDK's clock-skew correction,
 * and the XML answer read. Failures are thrown in the shape the SDK gives them (`name` the AWS
 * code, `$metadata.httpStatusCode`, `code` for the network's), so classifyStsError reads both alike.
 */
import type http from 'node:http'

import {AbortedError, throwIfAborted} from '../errors.js'
import {sleep} from '../time.js'
import {
  CONNECT_TIMEOUT_MS, requestTimeoutMs, StsRequest, THROTTLING_CODES, TRANSIENT_CODES,
} from './client.js'
import {loadSignatureV4, NodeSha256} from './sigv4.js'
import {childAt, parseXml, XmlElement} from './xml.js'

/** Where a call goes, and the region its signature is scoped to. */
export interface StsTarget {
  signingRegion: string
  url: string
}

/** A successful call: the `<ActionResult>` element, and STS's clock minus ours (ms; 0 unless 5 minutes or more apart). */
export interface QueryAnswer {
  result: undefined | XmlElement
  skewMs: number
}

/** An error as the SDK shapes it: what classifyStsError reads. */
export interface AwsShapedError extends Error {
  $metadata: {httpStatusCode?: number; requestId?: string}
  /** The network's code (ECONNREFUSED, ...), when no answer came. */
  code?: string
}

const VERSION = '2011-06-15'
const MAX_ATTEMPTS = 3
const MAX_ANSWER_BYTES = 1024 * 1024
const USER_AGENT = `mfa-creds (sts-query; node ${process.version}; ${process.platform})`

/** STS signs against its own clock and tolerates 5 minutes either way; the SDK corrects its clock only beyond that. */
const SKEW_TOLERANCE_MS = 300_000
/**
 * Codes with which STS refuses a signature because of its date. Such a request was turned away
 * before anything in it was looked at (the MFA code was not used), so it may be signed again.
 */
const CLOCK_SKEW_CODES = new Set(['AuthFailure', 'InvalidSignatureException', 'RequestExpired', 'RequestInTheFuture', 'RequestTimeTooSkewed', 'SignatureDoesNotMatch'])
/** The network failures the SDK's standard mode retries. */
const NETWORK_CODES = new Set(['EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT'])

/** The SDK's standard mode: the first retry waits up to 50 ms (1 s when throttled), doubling, never more than 20 s. */
const BACKOFF_BASE_MS = {skew: 50, throttling: 1000, transient: 50}
const BACKOFF_MAX_MS = 20_000

function awsError(name: string, message: string, metadata: AwsShapedError['$metadata'], code?: string): AwsShapedError {
  return Object.assign(new Error(message), {$metadata: metadata, code, name})
}

/** encodeURIComponent with !'()* escaped too: RFC 3986's unreserved characters alone stay, as the SDK writes forms. */
function encode(text: string): string {
  return encodeURIComponent(text).replaceAll(/[!'()*]/g, c => `%${c.codePointAt(0)!.toString(16).toUpperCase()}`)
}

/** An `application/x-www-form-urlencoded` body, undefined parameters left out. */
export function formBody(parameters: Record<string, number | string | undefined>): string {
  return Object.entries(parameters)
    .filter((entry): entry is [string, number | string] => entry[1] !== undefined)
    .map(([key, value]) => `${encode(key)}=${encode(String(value))}`)
    .join('&')
}

interface Answer {
  body: string
  headers: http.IncomingHttpHeaders
  status: number
}

/** A network failure with a message even when Node gives none (an AggregateError of every address tried). */
function networkError(error: unknown): AwsShapedError {
  const e = error as {code?: string; errors?: Array<{message?: string}>; message?: string}
  const message = e.message || e.errors?.map(inner => inner.message).filter(Boolean).join('; ') || e.code || 'the connection failed'
  return awsError('Error', message, {}, e.code)
}

/** node:http or node:https. */
type Transport = Pick<typeof http, 'Agent' | 'request'>

/** One attempt: the signed request sent, the whole answer read (or the attempt abandoned). */
function exchange({agent, transport, url}: {agent: http.Agent; transport: Transport; url: URL}, {body, headers}: {body: string; headers: Record<string, string>}, signal?: AbortSignal): Promise<Answer> {
  const timeoutMs = requestTimeoutMs()
  return new Promise((resolve, reject) => {
    let settled = false
    let connecting: NodeJS.Timeout | undefined
    const finish = (error: Error | undefined, answer?: Answer) => {
      if (settled) return
      settled = true
      clearTimeout(whole)
      clearTimeout(connecting)
      signal?.removeEventListener('abort', onAbort)
      if (error) {
        request.destroy()
        reject(error)
      } else {
        resolve(answer!)
      }
    }

    const onAbort = () => finish(new AbortedError())
    const request = transport.request({
      agent,
      headers: {...headers, 'user-agent': USER_AGENT},
      hostname: url.hostname.replace(/^\[(.*)]$/, '$1'),
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      port: url.port || undefined,
    })
    // Per attempt, for the whole answer, as the SDK's requestTimeout.
    const whole = setTimeout(() => finish(awsError('TimeoutError', `no answer within ${timeoutMs} ms`, {}, 'ETIMEDOUT')), timeoutMs)
    request.once('socket', socket => {
      if (!socket.connecting) return
      connecting = setTimeout(() => finish(awsError('TimeoutError', `no connection within ${CONNECT_TIMEOUT_MS} ms`, {})), CONNECT_TIMEOUT_MS)
      socket.once('connect', () => clearTimeout(connecting))
    })
    // `on`, not `once`: destroying a request that failed can emit a second error.
    request.on('error', error => finish(networkError(error)))
    request.once('response', response => {
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_ANSWER_BYTES) finish(awsError('Error', `an answer larger than ${MAX_ANSWER_BYTES} bytes`, {httpStatusCode: response.statusCode}))
        else chunks.push(chunk)
      })
      response.once('end', () => finish(undefined, {body: Buffer.concat(chunks).toString('utf8'), headers: response.headers, status: response.statusCode ?? 0}))
      response.on('error', error => finish(networkError(error)))
      response.once('close', () => {
        if (!response.complete) finish(networkError({code: 'ECONNRESET', message: 'the connection closed before the whole answer came'}))
      })
    })
    if (signal?.aborted) {
      onAbort()
      return
    }

    signal?.addEventListener('abort', onAbort, {once: true})
    request.end(body)
  })
}

/** `<ActionResponse><ActionResult>` of a 2xx answer; unreadable XML is the SDK's deserialization error. */
function readResult(answer: Answer, action: string): undefined | XmlElement {
  let root: XmlElement
  try {
    root = parseXml(answer.body)
  } catch (error) {
    throw awsError('Error', (error as Error).message, {httpStatusCode: answer.status})
  }

  return root.name === `${action}Response` ? childAt(root, `${action}Result`) : undefined
}

/** An error answer as the SDK reports it: the ErrorResponse's Code and Message, else Unknown. */
function errorOf(answer: Answer): AwsShapedError {
  const metadata = {httpStatusCode: answer.status, requestId: header(answer, 'x-amzn-requestid')}
  let root: undefined | XmlElement
  try {
    root = parseXml(answer.body)
  } catch {}

  const error = root?.name === 'Error' ? root : (childAt(root, 'Error') ?? childAt(root, 'Errors', 'Error'))
  const code = childAt(error, 'Code')?.text.trim()
  if (!code) return awsError('Unknown', 'Unknown', metadata)
  return awsError(code, childAt(error, 'Message')?.text ?? code, {...metadata, requestId: metadata.requestId ?? childAt(root, 'RequestId')?.text})
}

function header(answer: Answer, name: string): string | undefined {
  const value = answer.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The SDK's reading of STS's clock: the offset changes only when the Date header is 5 minutes or more from our corrected clock. */
function correctedOffset(date: string | undefined, offsetMs: number): number {
  const serverMs = date === undefined ? Number.NaN : Date.parse(date)
  if (Number.isNaN(serverMs)) return offsetMs
  const now = Date.now()
  return Math.abs(now + offsetMs - serverMs) >= SKEW_TOLERANCE_MS ? serverMs - now : offsetMs
}

/** Retry-After (seconds, or a date) or x-amz-retry-after (ms): how long STS asks us to wait. */
function retryAfterMs(answer: Answer): number | undefined {
  const amz = Number(header(answer, 'x-amz-retry-after'))
  if (header(answer, 'x-amz-retry-after') !== undefined && Number.isFinite(amz)) return amz
  const value = header(answer, 'retry-after')
  if (value === undefined) return undefined
  const ms = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now()
  return Number.isFinite(ms) ? ms : undefined
}

type RetryKind = keyof typeof BACKOFF_BASE_MS

/**
 * Whether the failure is worth another attempt, and which kind of wait it gets. A refusal (4xx:
 * AccessDenied, a wrong code) never is: a code must not be sent again after STS said no to it.
 */
function retryKind(error: AwsShapedError, skewCorrected: boolean): RetryKind | undefined {
  const status = error.$metadata.httpStatusCode
  if (skewCorrected && CLOCK_SKEW_CODES.has(error.name)) return 'skew'
  if (status === 429 || THROTTLING_CODES.has(error.name)) return 'throttling'
  if (status === undefined) return error.name === 'TimeoutError' || NETWORK_CODES.has(error.code ?? '') ? 'transient' : undefined
  return status >= 500 || TRANSIENT_CODES.has(error.name) ? 'transient' : undefined
}

/** Full jitter, as the SDK: a random wait up to base * 2^retry; at least what STS asked for, capped at 5 s beyond. */
function backoffMs(kind: RetryKind, retry: number, hintMs: number | undefined): number {
  const delay = Math.floor(Math.random() * Math.min(BACKOFF_BASE_MS[kind] * (2 ** retry), BACKOFF_MAX_MS))
  return hintMs === undefined ? delay : Math.max(delay, Math.min(hintMs, delay + 5000))
}

/**
 * One STS action (`parameters` in the order the SDK writes them), signed by the request's
 * credentials and retried up to 3 attempts in all; a clock-skew refusal once STS's Date header
 * shows our clock off is signed again with STS's time, once.
 */
export async function callSts(request: StsRequest, target: StsTarget, action: string, parameters: Record<string, number | string | undefined>): Promise<QueryAnswer> {
  throwIfAborted(request.signal)
  const SignatureV4 = await loadSignatureV4()
  const {accessKeyId, secretAccessKey, sessionToken} = request.credentials
  const signer = new SignatureV4({
    credentials: {accessKeyId, secretAccessKey, sessionToken}, region: target.signingRegion, service: 'sts', sha256: NodeSha256,
  })
  const url = new URL(target.url)
  const body = formBody({Action: action, Version: VERSION, ...parameters})
  const unsigned = {
    body,
    headers: {
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      host: url.host,
    },
    hostname: url.hostname,
    method: 'POST',
    path: url.pathname || '/',
    port: url.port ? Number(url.port) : undefined,
    protocol: url.protocol,
    query: Object.fromEntries(url.searchParams),
  }
  // Only the module the endpoint needs (node:https brings TLS, some 6 ms to load), and one
  // connection for the call's attempts, closed with it (as the SDK's client.destroy()).
  const transport: Transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  const agent = new transport.Agent({keepAlive: true, maxSockets: 1})
  let offsetMs = 0
  let skewRetried = false
  try {
    for (let attempt = 1; ; attempt++) {
      const signed = await signer.sign(unsigned, {signingDate: new Date(Date.now() + offsetMs)})
      const outcome = await exchange({agent, transport, url}, {body, headers: signed.headers}, request.signal).then(answer => ({answer}), (error_: unknown) => {
        if (!(error_ instanceof Error) || !('$metadata' in error_)) throw error_
        return {error: error_ as AwsShapedError}
      })
      let error: AwsShapedError
      let hintMs: number | undefined
      let skewCorrected = false
      if ('error' in outcome) {
        error = outcome.error
      } else {
        const {answer} = outcome
        const before = offsetMs
        offsetMs = correctedOffset(header(answer, 'date'), offsetMs)
        skewCorrected = offsetMs !== before
        if (answer.status >= 200 && answer.status < 300) return {result: readResult(answer, action), skewMs: offsetMs}
        error = errorOf(answer)
        hintMs = retryAfterMs(answer)
      }

      const kind = retryKind(error, skewCorrected && !skewRetried)
      if (kind === undefined || attempt >= MAX_ATTEMPTS) throw error
      if (kind === 'skew') skewRetried = true
      await sleep(backoffMs(kind, attempt - 1, hintMs), request.signal)
    }
  } finally {
    agent.destroy()
  }
}
