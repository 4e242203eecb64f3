/**
 * The credential-writer point, host side: the spec implemented over the hook (`overHook`: times
 * to RFC 3339 and back, a plugin's answer checked), and the CredentialWriter port the refresher
 * writes through. The spec a writer implements, its builder and its events are the sdk's
 * (@mfa-creds/sdk, writer.ts); over the hook a writer is told plain data only, while the
 * built-in, called in process, is also given the file as the host read it (HostWriterContext).
 */
import type {
  CredentialWriterSpec, ExtensionOptions, WriterContext,
} from '@mfa-creds/sdk'

import {fromRfc3339, toRfc3339} from '@mfa-creds/sdk'

import type {IniFileSnapshot} from '../core/ini/snapshot.js'
import type {CredentialWriter} from '../core/refresh/ports.js'
import type {HostCodec} from './host.js'

import {InternalError} from '../core/errors.js'

export interface HostWriterContext extends WriterContext {
  /**
   * The credentials file as the host read it: on `read`, as just read; on `write`, as read
   * before the prompt (what the write must not lose). In process only: it never crosses the hook.
   */
  credentials?: IniFileSnapshot
}

/** A writer as the host calls it: a plugin's spec over its hook ignores what it is not told. */
export type HostWriterSpec = CredentialWriterSpec<HostWriterContext>

/** A time a plugin answered; a missing or unreadable one is a broken answer, named. */
function answeredTime(text: unknown, what: string, info: {name: string; plugin: string}): Date {
  const time = typeof text === 'string' ? fromRfc3339(text) : undefined
  if (!time) throw new InternalError(`the ${info.name} writer (${info.plugin}) answered a ${what} whose expiration is not an RFC 3339 time`)
  return time
}

export const WRITER_POINT: HostCodec<'writer', HostWriterSpec> = {
  overHook: (info, call) => ({
    async check(targetProfile, options, context) {
      await call('check', options, {credentialsFile: context.credentialsFile, targetProfile})
    },
    description: info.description,
    name: info.name,
    async read(targetProfile, options, context) {
      const {state} = await call('read', options, {credentialsFile: context.credentialsFile, targetProfile})
      if (!state || typeof state !== 'object') throw new InternalError(`the ${info.name} writer (${info.plugin}) answered a read without a state`)
      const fingerprint = typeof state.fingerprint === 'string' ? state.fingerprint : undefined
      return {expiration: state.expiration === undefined ? undefined : answeredTime(state.expiration, 'read', info), fingerprint}
    },
    async write(request, options, context) {
      const {credentials, ...rest} = request
      const data = {...rest, credentials: {...credentials, expiration: toRfc3339(credentials.expiration)}}
      const {result} = await call('write', options, {credentialsFile: context.credentialsFile, request: data})
      if (!result || typeof result !== 'object') throw new InternalError(`the ${info.name} writer (${info.plugin}) answered a write without a result`)
      if (result.action !== 'written' && result.action !== 'kept-newer') {
        throw new InternalError(`the ${info.name} writer (${info.plugin}) answered a write with the action ${JSON.stringify(result.action)}`)
      }

      return {action: result.action, expiration: answeredTime(result.expiration, 'write', info)}
    },
  }),
  point: 'writer',
}

/**
 * The port the refresher writes through, over a writer's spec. It remembers the file as read for
 * each target before the prompt and gives it to the write (a built-in's write must not lose what
 * was there; over the hook only the path crosses).
 */
export function writerPort(spec: HostWriterSpec, options: ExtensionOptions, credentialsFile: string, rethrow: (error: unknown) => unknown): CredentialWriter {
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
