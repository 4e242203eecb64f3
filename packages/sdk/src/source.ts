/**
 * The credential-source point, plugin side: where an IAM user's long-term keys live (the OS
 * keyring, a password manager, a command), the spec a source implements and its builder.
 * Events: `mfa-creds:sources` (discovery: `[{name, description, stores}]`) and
 * `mfa-creds:source` (`validate`; `get` -> `{keys}`; `store` and `remove` for a source that keeps
 * keys); see events.ts. A source is asked before anyone is asked for a code: what it throws
 * (ConfigError: no entry, a locked keyring, a failing tool) stops the refresh there, with exit 6.
 */
import type {ExtensionHook, ExtensionSpec, PointCodec} from './define.js'
import type {ErrorData} from './errors.js'
import type {
  ErrorKindOf, HookAnswer, HookPayload, SourceContext,
} from './events.js'
import type {ExtensionOptions} from './options.js'
import type {LongTermKeys} from './requests.js'

import {defineExtension} from './define.js'

export type SourceErrorKind = ErrorKindOf<'source'>
export type SourceErrorData = ErrorData<SourceErrorKind>
export type SourceHookPayload = HookPayload<'source'>
export type SourceHookAnswer = HookAnswer<'source'>

/**
 * A credential source. `C` is what it is told besides the profile: plain data over the hook;
 * mfa-creds' own built-in, called in process, is told more (the credentials file as it read it).
 * Never put a key in a message: errors are shown and logged.
 */
export interface CredentialSourceSpec<C extends SourceContext = SourceContext> extends ExtensionSpec {
  /** The long-term keys of `profile`; throw a ConfigError that says what is missing and how to add it. */
  get(profile: string, options: ExtensionOptions, context: C): Promise<LongTermKeys>
  /** Removes the keys of `profile` (with store: a source that keeps keys). */
  remove?(profile: string, options: ExtensionOptions, context: C): Promise<void>
  /** Keeps `keys` for `profile`, replacing any there (with remove: a source that keeps keys). */
  store?(profile: string, keys: LongTermKeys, options: ExtensionOptions, context: C): Promise<void>
}

export const SOURCE_CODEC: PointCodec<'source', CredentialSourceSpec> = {
  async act(spec, payload) {
    const context: SourceContext = {credentialsFile: payload.credentialsFile, signal: payload.signal}
    switch (payload.type) {
      case 'get': {
        return {keys: await spec.get(payload.profile, payload.options, context)}
      }

      case 'remove': {
        await spec.remove?.(payload.profile, payload.options, context)
        return {}
      }

      case 'store': {
        await spec.store?.(payload.profile, payload.keys, payload.options, context)
        return {}
      }

      default: {
        // An action this source does not know (a newer host): nothing to say about it.
        return {} as never
      }
    }
  },
  info: spec => ({description: spec.description, name: spec.name, stores: Boolean(spec.store && spec.remove)}),
  point: 'source',
}

/** Builds the hook a plugin registers for both events (`mfa-creds:sources`, `mfa-creds:source`). */
export function defineCredentialSource(spec: CredentialSourceSpec): ExtensionHook<'source'> {
  return defineExtension(SOURCE_CODEC, spec)
}
