/**
 * The typed event map: every extension point, its two oclif custom hook events, and what crosses
 * them. Per point:
 *
 * - the discovery event is run with `{type: 'discover'}`; each plugin's hook answers the offers
 *   it makes, `[info, ...]` (a name, a description, and what else the point's `info` says);
 * - the action event is run with `{type: 'validate', name, options}` (before anything is asked)
 *   or `{type: ACTION, name, options, ...payload}` for one of the point's `actions`; the hook of
 *   the plugin that offers `name` answers `{handled: true, problem?}`, `{handled: true, ...answer}`
 *   or `{handled: true, error: {kind, message, hint?}}`; every other hook answers `{handled: false}`.
 *
 * Answers are plain data, errors included (errors.ts): a thrown error would land in oclif's
 * `failures`, and plain data reads the same whichever copy of this package built it. Times cross
 * as RFC 3339 strings (time.ts).
 *
 * A point is an entry in ExtensionEventMap and EXTENSION_EVENTS, a codec and builder of a few
 * lines (prompt.ts, writer.ts, source.ts), and the host's side of it in mfa-creds (src/extensions).
 */
import type {ErrorData, KnownErrorKind} from './errors.js'
import type {ExtensionOptions} from './options.js'
import type {
  LongTermKeys, PromptRequest, WriteRequest, WriteResult,
} from './requests.js'

/** What every offer says of itself in discovery. */
export interface ExtensionInfo {
  description: string
  name: string
}

export interface PromptProviderInfo extends ExtensionInfo {
  retriesRejectedCodes: boolean
}

export type WriterInfo = ExtensionInfo

/** What a writer is told besides the request, as plain data. */
export interface WriterContext {
  /** The shared credentials file mfa-creds uses (the long-term keys come from there). */
  credentialsFile: string
}

/** What a credential source offers: whether it can also keep keys (keys add, import, rotate, remove). */
export interface CredentialSourceInfo extends ExtensionInfo {
  stores: boolean
}

/** What a credential source is told besides the profile, as plain data. */
export interface SourceContext {
  /** The shared credentials file mfa-creds uses. */
  credentialsFile: string
  /** mfa-creds is shutting down: stop (end what was started) and throw AbortedError. */
  signal?: AbortSignal | undefined
}

/** A write request as it crosses the hook: the expiration as RFC 3339. */
export interface WriteRequestData extends Omit<WriteRequest, 'credentials'> {
  credentials: {accessKeyId: string; expiration: string; secretAccessKey: string; sessionToken: string}
}

/** Per point: the discovery info, and per action the payload it is sent and the answer it gives. */
export interface ExtensionEventMap {
  prompt: {
    actions: {
      ask: {answer: {code: string}; payload: {request: PromptRequest}}
    }
    info: PromptProviderInfo
  }
  source: {
    actions: {
      get: {answer: {keys: LongTermKeys}; payload: SourceContext & {profile: string}}
      remove: {answer: object; payload: SourceContext & {profile: string}}
      store: {answer: object; payload: SourceContext & {keys: LongTermKeys; profile: string}}
    }
    info: CredentialSourceInfo
  }
  writer: {
    actions: {
      check: {answer: object; payload: WriterContext & {targetProfile: string}}
      read: {answer: {state: {expiration?: string | undefined; fingerprint?: string | undefined}}; payload: WriterContext & {targetProfile: string}}
      write: {answer: {result: {action: WriteResult['action']; expiration: string}}; payload: WriterContext & {request: WriteRequestData}}
    }
    info: WriterInfo
  }
}

export type PointName = keyof ExtensionEventMap

/** A point's two events, and the error kinds its answers may carry (besides `failed`). */
export interface PointEvents<K extends KnownErrorKind = KnownErrorKind> {
  action: string
  discover: string
  kinds: readonly K[]
}

export const EXTENSION_EVENTS = {
  prompt: {
    action: 'mfa-creds:prompt',
    discover: 'mfa-creds:prompt-providers',
    kinds: ['aborted', 'cancelled', 'misconfigured', 'timed-out', 'unavailable'],
  },
  source: {
    action: 'mfa-creds:source',
    discover: 'mfa-creds:sources',
    kinds: ['aborted', 'config'],
  },
  writer: {
    action: 'mfa-creds:write',
    discover: 'mfa-creds:writers',
    kinds: ['aborted', 'config', 'internal', 'lock-timeout'],
  },
} as const satisfies Record<PointName, PointEvents>

export type Info<P extends PointName> = ExtensionEventMap[P]['info'] & ExtensionInfo
export type ActionName<P extends PointName> = keyof ExtensionEventMap[P]['actions'] & string
type Actions<P extends PointName> = ExtensionEventMap[P]['actions']
export type ErrorKindOf<P extends PointName> = 'failed' | (typeof EXTENSION_EVENTS)[P]['kinds'][number]

/** The payload of one action, as the hook receives it. */
export type ActionPayload<P extends PointName, A extends ActionName<P> = ActionName<P>> = {
  [K in A]: (Actions<P>[K] extends {payload: infer T} ? T : never) & {name: string; options: ExtensionOptions; type: K}
}[A]

/** The answer of one action, as the hook gives it (without `handled`). */
export type ActionAnswer<P extends PointName, A extends ActionName<P> = ActionName<P>> = Actions<P>[A] extends {answer: infer T} ? T : never

export type HookPayload<P extends PointName> =
  | ActionPayload<P>
  | {name: string; options: ExtensionOptions; type: 'validate'}
  | {type: 'discover'}

export type HookAnswer<P extends PointName> =
  | Info<P>[]
  | {[A in ActionName<P>]: ActionAnswer<P, A> & {handled: true}}[ActionName<P>]
  | {error: ErrorData<ErrorKindOf<P>>; handled: true}
  | {handled: false}
  | {handled: true; problem?: string | undefined}
