/**
 * The credential-writer point on the one host: the spec a writer implements, its builder, and the
 * CredentialWriter port the refresher writes through. Events: `mfa-creds:writers` (discovery:
 * `[{name, description}]`) and `mfa-creds:write` (`validate`; `check` before the prompt, could a
 * write succeed?; `read` -> `{state: {expiration?, fingerprint?}}`; `write` -> `{result: {action,
 * expiration}}`); see events.ts. Times cross the hook as RFC 3339 strings; in process they stay Dates.
 */
import type {IniFileSnapshot} from '../core/ini/snapshot.js'
import type {CredentialWriter, WriteRequest, WriteResult} from '../core/refresh/ports.js'
import type {ErrorData} from './errors.js'
import type {
  ErrorKindOf, HookAnswer, HookPayload, WriterContext,
} from './events.js'
import type {ExtensionOptions} from './options.js'

import {InternalError} from '../core/errors.js'
import {formatExpiration, parseExpiration} from '../core/refresh/schedule.js'
import {
  defineExtension, ExtensionHook, ExtensionSpec, PointCodec,
} from './define.js'

export type {WriterContext, WriteRequestData, WriterInfo} from './events.js'
export type WriterErrorKind = ErrorKindOf<'writer'>
export type WriterErrorData = ErrorData<WriterErrorKind>
export type WriterHookPayload = HookPayload<'writer'>
export type WriterHookAnswer = HookAnswer<'writer'>

export interface CredentialWriterSpec extends ExtensionSpec {
  /** Optional: throws (a ConfigError, say) when a write could not succeed; called before the prompt. */
  check?(targetProfile: string, options: ExtensionOptions, context: WriterContext): Promise<void>
  /** The target's current state: when it expires, and a fingerprint that changes when it changes. */
  read(targetProfile: string, options: ExtensionOptions, context: WriterContext): Promise<{expiration?: Date; fingerprint?: string}>
  /** Writes the credentials; keeps the target when it changed since `baseline` and lasts longer. */
  write(request: WriteRequest, options: ExtensionOptions, context: WriterContext): Promise<WriteResult>
}

export const WRITER_POINT: PointCodec<'writer', CredentialWriterSpec> = {
  async act(spec, payload) {
    const context: WriterContext = {credentials: payload.credentials, credentialsFile: payload.credentialsFile}
    switch (payload.type) {
      case 'check': {
        await spec.check?.(payload.targetProfile, payload.options, context)
        return {}
      }

      case 'read': {
        const state = await spec.read(payload.targetProfile, payload.options, context)
        return {state: {expiration: state.expiration && formatExpiration(state.expiration), fingerprint: state.fingerprint}}
      }

      case 'write': {
        const {credentials, ...rest} = payload.request
        const result = await spec.write({...rest, credentials: {...credentials, expiration: parseExpiration(credentials.expiration)!}}, payload.options, context)
        return {result: {action: result.action, expiration: formatExpiration(result.expiration)}}
      }
    }
  },
  info: spec => ({description: spec.description, name: spec.name}),
  overHook: (info, call) => ({
    async check(targetProfile, options, context) {
      await call('check', options, {credentialsFile: context.credentialsFile, targetProfile})
    },
    description: info.description,
    name: info.name,
    async read(targetProfile, options, context) {
      const {state} = await call('read', options, {...context, targetProfile})
      if (!state) throw new InternalError(`the ${info.name} writer (${info.plugin}) answered a read without a state`)
      return {expiration: parseExpiration(state.expiration), fingerprint: state.fingerprint}
    },
    async write(request, options, context) {
      const {credentials, ...rest} = request
      const data = {...rest, credentials: {...credentials, expiration: formatExpiration(credentials.expiration)}}
      const {result} = await call('write', options, {credentialsFile: context.credentialsFile, request: data})
      if (!result) throw new InternalError(`the ${info.name} writer (${info.plugin}) answered a write without a result`)
      return {action: result.action, expiration: parseExpiration(result.expiration)!}
    },
  }),
  point: 'writer',
}

/** Builds the hook a plugin registers for both events (`mfa-creds:writers`, `mfa-creds:write`). */
export function defineCredentialWriter(spec: CredentialWriterSpec): ExtensionHook<'writer'> {
  return defineExtension(WRITER_POINT, spec)
}

/**
 * The port the refresher writes through, over a writer's spec. It remembers the file as read for
 * each target before the prompt and gives it to the write (a built-in's write must not lose what
 * was there; over the hook only the path crosses).
 */
export function writerPort(spec: CredentialWriterSpec, options: ExtensionOptions, credentialsFile: string, rethrow: (error: unknown) => unknown): CredentialWriter {
  const references = new Map<string, IniFileSnapshot>()
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      throw rethrow(error)
    }
  }

  return {
    check: targetProfile => guard(async () => spec.check?.(targetProfile, options, {credentialsFile})),
    name: spec.name,
    read: (targetProfile, credentials) => guard(async () => {
      const state = await spec.read(targetProfile, options, {credentials, credentialsFile})
      references.set(targetProfile, credentials)
      return state
    }),
    write: request => guard(() => spec.write(request, options, {credentials: references.get(request.targetProfile), credentialsFile})),
  }
}
