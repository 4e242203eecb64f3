/**
 * `watch --serve`: each watched target's session on one local credentials endpoint, for `exec
 * --server` to hand to its commands, with a token of its own per target (a command can read its
 * own session only). Loaded only with --serve: an idle watch without it carries no HTTP server.
 */
import {readSessionCredentials} from '../../core/aws/session-credentials.js'
import {endpointPath, newToken, startEndpoint} from '../../core/exec/endpoint.js'
import {Settings} from '../../core/refresh/settings.js'
import {ServedEndpoint} from '../../core/state/registry.js'
import {refusalNotes} from '../endpoint-log.js'

export interface Serving {
  close(): Promise<void>
  /** What the registry records: where it serves, and each target's token. */
  entry(): ServedEndpoint
  readonly origin: string
}

/** Serves the targets `served()` names at the moment of each request (SIGHUP may change them). */
export async function serveTargets(served: () => Settings[], note: (message: string) => void): Promise<Serving> {
  const tokens = new Map<string, string>()
  const tokenOf = (target: string) => {
    if (!tokens.has(target)) tokens.set(target, newToken())
    return tokens.get(target)!
  }

  const endpoint = await startEndpoint({
    onRequest: refusalNotes(note),
    route(asked) {
      const s = served().find(s => endpointPath(s.targetProfile) === asked)
      return s && {credentials: () => readSessionCredentials(s.credentialsFile, s.targetProfile, s.profile), token: tokenOf(s.targetProfile)}
    },
  })
  return {
    close: () => endpoint.close(),
    entry: () => ({origin: endpoint.origin, tokens: Object.fromEntries(served().map(s => [s.targetProfile, tokenOf(s.targetProfile)]))}),
    origin: endpoint.origin,
  }
}
