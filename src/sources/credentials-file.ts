import {unknownOptions} from '@mfa-creds/sdk'

/**
 * The built-in credential source `credentials-file` (the default): the long-term keys in
 * `[PROFILE]` of the shared credentials file, as `aws configure` puts them there. The refresher
 * reads them with the file (under the lock, for the read that decides), and no write may leave
 * the file without them (WholeCheck.sourceProfile). It keeps keys too (`keys add`, `rotate`):
 * stored into and removed from [PROFILE] under the lock, format-preserving (core/aws/file-keys.ts).
 */
import type {KeySource} from '../core/refresh/ports.js'

import {removeFileKeys, storeFileKeys} from '../core/aws/file-keys.js'
import {sourceKeys} from '../core/aws/profiles.js'
import {readSharedFile} from '../core/aws/shared-file.js'
import {HostSourceSpec, sourcePort} from '../extensions/source.js'

export const credentialsFileSource: HostSourceSpec = {
  description: 'the long-term keys in [PROFILE] of the shared credentials file (the default)',
  async get(profile, _options, context) {
    return sourceKeys(context.credentials ?? await readSharedFile(context.credentialsFile, 'credentials file'), profile)
  },
  name: 'credentials-file',
  async remove(profile, _options, context) {
    await removeFileKeys(context.credentialsFile, profile, {signal: context.signal})
  },
  async store(profile, keys, _options, context) {
    await storeFileKeys(context.credentialsFile, profile, keys, {signal: context.signal})
  },
  validateOptions: options => unknownOptions(options, []),
}

/** The built-in source on its own, as a port, for a caller that needs no host (tests; the bench). */
export function credentialsFileKeys(credentialsFile: string): KeySource {
  return sourcePort(credentialsFileSource, {}, credentialsFile, error => error)
}
