import type {AddressInfo} from 'node:net'

/**
 * The local credentials endpoint (`exec --server`, `watch --serve`): the current session
 * credentials, served on 127.0.0.1 in the ECS container-credentials protocol, which every AWS
 * SDK asks again before the credentials it holds expire, so that a process that runs for longer
 * than one session keeps working (an SDK reads the shared credentials file only once).
 *
 * What a request must be, or it is refused before anything is read:
 * - GET (405 otherwise): the SDKs only ever GET; anything else is not one of them;
 * - a Host header naming the loopback address it was sent to (403 otherwise): a web page on
 *   another name that resolves to 127.0.0.1 (DNS rebinding) carries its own name;
 * - one of the endpoint's paths, each with a token of its own, and `Authorization` equal to that
 *   path's token (401 otherwise, the same answer for a path that is not served: nothing is told
 *   without a token), compared in constant time: random 256-bit tokens, each given only to the
 *   processes that are to read that one target.
 * The answer is never logged, nor is a refused request's token: `onRequest` hears only what
 * was asked and how it was answered.
 */
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import http from 'node:http'

import {SessionCredentials} from '../aws/sts.js'
import {MfaCredsError} from '../errors.js'
import {formatExpiration} from '../time.js'

export type EndpointOutcome = 'bad-host' | 'bad-method' | 'bad-token' | 'failed' | 'served'

export interface EndpointRequestEvent {
  outcome: EndpointOutcome
  /** The path asked for (never a token: tokens go in a header). */
  path: string
  /** Why the credentials could not be served (outcome failed): the error's message, which never holds a secret. */
  reason?: string
}

/** What one path serves, to whoever brings its token. */
export interface Route {
  /** The current credentials. Throws (a typed error, whose message is told) when they cannot be had. */
  credentials(): Promise<SessionCredentials>
  token: string
}

export interface EndpointOptions {
  onRequest?: (event: EndpointRequestEvent) => void
  /** What a path serves; undefined: nothing. */
  route(path: string): Route | undefined
}

export interface CredentialsEndpoint {
  close(): Promise<void>
  /** http://127.0.0.1:PORT, without a path. */
  readonly origin: string
  readonly port: number
}

/** Where an endpoint serves a target's session. */
export function endpointPath(target: string): string {
  return `/credentials/${encodeURIComponent(target)}`
}

/** A token no one can guess: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Equal, in a time that does not depend on where they differ (both hashed first: equal lengths). */
function sameToken(given: string, token: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(token).digest()
  return timingSafeEqual(a, b)
}

/** The body botocore, the JavaScript, Go and Java SDKs all read from a container endpoint. */
export function endpointJson(c: SessionCredentials): string {
  return JSON.stringify({
    AccessKeyId: c.accessKeyId, Expiration: formatExpiration(c.expiration), SecretAccessKey: c.secretAccessKey, Token: c.sessionToken,
  })
}

function answer(res: http.ServerResponse, status: number, body: Record<string, string>, headers: Record<string, string> = {}): void {
  res.writeHead(status, {'cache-control': 'no-store', 'content-type': 'application/json', ...headers})
  res.end(JSON.stringify(body))
}

export async function startEndpoint(options: EndpointOptions): Promise<CredentialsEndpoint> {
  let port = 0
  const report = (event: EndpointRequestEvent) => options.onRequest?.(event)
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (req.method !== 'GET') {
      report({outcome: 'bad-method', path})
      answer(res, 405, {code: 'MethodNotAllowed', message: 'only GET is served'}, {allow: 'GET'})
      return
    }

    const host = (req.headers.host ?? '').toLowerCase()
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      report({outcome: 'bad-host', path})
      answer(res, 403, {code: 'Forbidden', message: 'this endpoint answers only requests addressed to 127.0.0.1'})
      return
    }

    const given = req.headers.authorization
    const route = options.route(path)
    // A path that is not served is refused as a wrong token is: nothing is told without one.
    if (typeof given !== 'string' || !sameToken(given, route?.token ?? newToken())) {
      report({outcome: 'bad-token', path})
      answer(res, 401, {code: 'Unauthorized', message: 'a missing or wrong authorization token'})
      return
    }

    let credentials: SessionCredentials
    try {
      credentials = await route!.credentials()
    } catch (error) {
      const reason = error instanceof MfaCredsError ? error.message : 'internal error'
      report({outcome: 'failed', path, reason})
      answer(res, 503, {code: 'CredentialsUnavailable', message: reason})
      return
    }

    report({outcome: 'served', path})
    res.writeHead(200, {'cache-control': 'no-store', 'content-type': 'application/json'})
    res.end(endpointJson(credentials))
  })
  // Nobody but a local SDK talks to it: short timeouts, no lingering connections.
  server.headersTimeout = 10_000
  server.requestTimeout = 10_000
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  return {
    close: () => new Promise(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
    origin: `http://127.0.0.1:${port}`,
    port,
  }
}
