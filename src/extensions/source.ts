/**
 * The credential-source point, host side: the spec implemented over the hook (`overHook`, a
 * plugin's answer checked: keys are two non-empty strings), and the KeySource port the refresher
 * and the `keys` commands use. The spec a source implements, its builder and its events are the
 * sdk's (@mfa-creds/sdk, source.ts); over the hook a source is told plain data only, while the
 * built-in credentials-file source, called in process, is also given the file as the host read it.
 */
import type {
  CredentialSourceSpec, ExtensionOptions, LongTermKeys, SourceContext,
} from '@mfa-creds/sdk'

import type {IniFileSnapshot} from '../core/ini/snapshot.js'
import type {KeySource} from '../core/refresh/ports.js'
import type {HostCodec} from './host.js'

import {ConfigError, InternalError} from '../core/errors.js'

export interface HostSourceContext extends SourceContext {
  /** The credentials file as the host just read it, when it did. In process only: it never crosses the hook. */
  credentials?: IniFileSnapshot
}

/** A source as the host calls it: a plugin's spec over its hook ignores what it is not told. */
export type HostSourceSpec = CredentialSourceSpec<HostSourceContext>

/**
 * Keys a plugin answered: two non-empty strings, else a broken answer, named (never echoed: they
 * are secret); with `created` (RFC 3339) when the source keeps when the key was made (keys list).
 */
function answeredKeys(keys: unknown, info: {name: string; plugin: string}): LongTermKeys {
  const {accessKeyId, created, secretAccessKey} = (keys ?? {}) as Partial<Omit<LongTermKeys, 'created'>> & {created?: unknown}
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw new InternalError(`the ${info.name} credential source (${info.plugin}) answered without an access key id and a secret access key`)
  }

  return {accessKeyId, secretAccessKey, ...(typeof created === 'string' ? {created} : {})}
}

export const SOURCE_POINT: HostCodec<'source', HostSourceSpec> = {
  overHook(info, call) {
    const spec: HostSourceSpec = {
      description: info.description,
      async get(profile, options, context) {
        const {keys} = await call('get', options, {credentialsFile: context.credentialsFile, profile, signal: context.signal})
        return answeredKeys(keys, info)
      },
      name: info.name,
    }
    if (info.stores) {
      spec.remove = async (profile, options, context) => {
        await call('remove', options, {credentialsFile: context.credentialsFile, profile})
      }

      spec.store = async (profile, keys, options, context) => {
        await call('store', options, {credentialsFile: context.credentialsFile, keys, profile})
      }
    }

    return spec
  },
  point: 'source',
}

/** The built-in source whose keys are the credentials file's own: read with it, kept by every write. */
export const CREDENTIALS_FILE_SOURCE = 'credentials-file'

/** The port over a source's spec (a built-in's, or a plugin's over its hook). */
export function sourcePort(spec: HostSourceSpec, options: ExtensionOptions, credentialsFile: string, rethrow: (error: unknown) => unknown): KeySource {
  const guard = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      throw rethrow(error)
    }
  }

  const cannotKeep = (what: string) => new ConfigError(
    `the credential source ${spec.name} cannot ${what} keys: it only gives them`,
    'choose a source that keeps keys with --source (credentials-file or keyring)',
  )
  return {
    get: (profile, at = {}) => guard(() => spec.get(profile, options, {credentials: at.credentials, credentialsFile, signal: at.signal})),
    inCredentialsFile: spec.name === CREDENTIALS_FILE_SOURCE,
    name: spec.name,
    remove: profile => guard(async () => {
      if (!spec.remove) throw cannotKeep('remove')
      await spec.remove(profile, options, {credentialsFile})
    }),
    store: (profile, keys) => guard(async () => {
      if (!spec.store) throw cannotKeep('store')
      await spec.store(profile, keys, options, {credentialsFile})
    }),
    stores: Boolean(spec.store && spec.remove),
  }
}
