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
 * `failures`. Times cross as RFC 3339 strings. The built-ins announce themselves through the same
 * events (src/hooks), but are called in process (host.ts).
 *
 * A third point (key sources, issue 15) is an entry here and a builder of a few lines beside
 * prompt.ts and writer.ts:
 *
 * ```ts
 * // in ExtensionEventMap:
 * source: {
 *   actions: {keys: {answer: {keys: LongTermKeysData}; payload: {profile: string}}}
 *   info: KeySourceInfo
 * }
 * // in EXTENSION_POINTS:
 * source: {
 *   action: 'mfa-creds:key', discover: 'mfa-creds:key-sources', what: 'key source', short: 'key source',
 *   optionsHint: 'fix --source-option or mfa_creds_source_KEY in ~/.aws/config',
 *   errors: {failed: (name, m, hint) => new ConfigError(`the ${name} key source failed: ${m}`, hint), kinds: ['aborted', 'config']},
 * },
 * // source.ts: defineKeySource = spec => defineExtension(KEY_SOURCE, spec), a codec (keys <-> data)
 * // and a port adapter; package.json "hooks" for the built-ins in src/hooks.
 * ```
 */
import type {IniFileSnapshot} from '../core/ini/snapshot.js'
import type {PromptRequest, WriteRequest, WriteResult} from '../core/refresh/ports.js'
import type {ErrorData, KnownErrorKind, PointErrors} from './errors.js'
import type {ExtensionOptions} from './options.js'

import {ConfigError, PromptUnavailableError} from '../core/errors.js'

/** What every offer says of itself in discovery. */
export interface ExtensionInfo {
  description: string
  name: string
}

export interface PromptProviderInfo extends ExtensionInfo {
  retriesRejectedCodes: boolean
}

export type WriterInfo = ExtensionInfo

export interface WriterContext {
  /**
   * The credentials file as the host read it, when it has it: on `read`, as just read; on a
   * built-in's `write`, as read before the prompt (what the write must not lose).
   */
  credentials?: IniFileSnapshot
  credentialsFile: string
}

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
  writer: {
    actions: {
      check: {answer: object; payload: WriterContext & {targetProfile: string}}
      read: {answer: {state: {expiration?: string; fingerprint?: string}}; payload: WriterContext & {targetProfile: string}}
      write: {answer: {result: {action: WriteResult['action']; expiration: string}}; payload: WriterContext & {request: WriteRequestData}}
    }
    info: WriterInfo
  }
}

export type PointName = keyof ExtensionEventMap

export interface PointEvents<K extends KnownErrorKind = KnownErrorKind> {
  action: string
  discover: string
  errors: PointErrors<K>
  /** For "fix ..." hints when options are refused. */
  optionsHint: string
  /** "prompt provider's options", "the writer X": for messages. */
  short: string
  /** "prompt provider", "credential writer": for messages. */
  what: string
}

export const EXTENSION_POINTS = {
  prompt: {
    action: 'mfa-creds:prompt',
    discover: 'mfa-creds:prompt-providers',
    errors: {
      failed: (name, message, hint) => new PromptUnavailableError(`the ${name} prompt failed: ${message}`, hint),
      kinds: ['aborted', 'cancelled', 'misconfigured', 'timed-out', 'unavailable'],
    },
    optionsHint: 'fix --prompt-option or mfa_creds_prompt_KEY in ~/.aws/config',
    short: 'prompt provider',
    what: 'prompt provider',
  },
  writer: {
    action: 'mfa-creds:write',
    discover: 'mfa-creds:writers',
    errors: {
      failed: (name, message, hint) => new ConfigError(`the ${name} writer failed: ${message}`, hint),
      kinds: ['aborted', 'config', 'internal', 'lock-timeout'],
    },
    optionsHint: 'fix --writer-option or mfa_creds_writer_KEY in ~/.aws/config',
    short: 'writer',
    what: 'credential writer',
  },
} as const satisfies Record<PointName, PointEvents>

export type Info<P extends PointName> = ExtensionEventMap[P]['info'] & ExtensionInfo
export type ActionName<P extends PointName> = keyof ExtensionEventMap[P]['actions'] & string
type Actions<P extends PointName> = ExtensionEventMap[P]['actions']
export type ErrorKindOf<P extends PointName> = 'failed' | (typeof EXTENSION_POINTS)[P]['errors']['kinds'][number]

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
  | {handled: true; problem?: string}
