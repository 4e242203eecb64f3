/**
 * The credential-writer point, plugin side: the spec a writer implements and its builder. Events:
 * `mfa-creds:writers` (discovery: `[{name, description}]`) and `mfa-creds:write` (`validate`;
 * `check` before the prompt, could a write succeed?; `read` -> `{state: {expiration?,
 * fingerprint?}}`; `write` -> `{result: {action, expiration}}`); see events.ts. Times cross the
 * hook as RFC 3339 strings; the spec sees Dates.
 */
import type {ExtensionHook, ExtensionSpec, PointCodec} from './define.js'
import type {ErrorData} from './errors.js'
import type {
  ErrorKindOf, HookAnswer, HookPayload, WriterContext,
} from './events.js'
import type {ExtensionOptions} from './options.js'
import type {TargetState, WriteRequest, WriteResult} from './requests.js'

import {defineExtension} from './define.js'
import {InternalError} from './errors.js'
import {fromRfc3339, toRfc3339} from './time.js'

export type WriterErrorKind = ErrorKindOf<'writer'>
export type WriterErrorData = ErrorData<WriterErrorKind>
export type WriterHookPayload = HookPayload<'writer'>
export type WriterHookAnswer = HookAnswer<'writer'>

/**
 * A writer. `C` is what it is told besides the request: plain data over the hook; mfa-creds'
 * own built-in, called in process, is told more (the file as it read it).
 */
export interface CredentialWriterSpec<C extends WriterContext = WriterContext> extends ExtensionSpec {
  /** Optional: throws (a ConfigError, say) when a write could not succeed; called before the prompt. */
  check?(targetProfile: string, options: ExtensionOptions, context: C): Promise<void>
  /** The target's current state: when it expires, and a fingerprint that changes when it changes. */
  read(targetProfile: string, options: ExtensionOptions, context: C): Promise<TargetState>
  /** Writes the credentials; keeps the target when it changed since `request.baseline` and lasts longer. */
  write(request: WriteRequest, options: ExtensionOptions, context: C): Promise<WriteResult>
}

export const WRITER_CODEC: PointCodec<'writer', CredentialWriterSpec> = {
  async act(spec, payload) {
    const context: WriterContext = {credentialsFile: payload.credentialsFile}
    switch (payload.type) {
      case 'check': {
        await spec.check?.(payload.targetProfile, payload.options, context)
        return {}
      }

      case 'read': {
        const state = await spec.read(payload.targetProfile, payload.options, context)
        return {state: {expiration: state.expiration && toRfc3339(state.expiration), fingerprint: state.fingerprint}}
      }

      case 'write': {
        const {credentials, ...rest} = payload.request
        const expiration = fromRfc3339(credentials.expiration)
        if (!expiration) throw new InternalError(`the write request's expiration is not an RFC 3339 time: ${credentials.expiration}`)
        const result = await spec.write({...rest, credentials: {...credentials, expiration}}, payload.options, context)
        return {result: {action: result.action, expiration: toRfc3339(result.expiration)}}
      }

      default: {
        // An action this writer does not know (a newer host): nothing to say about it.
        return {} as never
      }
    }
  },
  info: spec => ({description: spec.description, name: spec.name}),
  point: 'writer',
}

/** Builds the hook a plugin registers for both events (`mfa-creds:writers`, `mfa-creds:write`). */
export function defineCredentialWriter(spec: CredentialWriterSpec): ExtensionHook<'writer'> {
  return defineExtension(WRITER_CODEC, spec)
}
