/**
 * `keys import`: moves [PROFILE]'s keys from the credentials file into a source, so that they are
 * never in neither place. In order: read them; store them (unless the source holds them already);
 * read them back from the source and compare; point the config at the source; remove them from
 * the file (only while they are still those keys). A failure, or a kill, at any step leaves the
 * file holding them; a rerun picks up where the last run stopped.
 */
import type {KeySource} from '../refresh/ports.js'

import {
  checkKeysSection, fileKeys, maskKeyId, removeFileKeys,
} from '../aws/file-keys.js'
import {readSharedFile} from '../aws/shared-file.js'
import {ConfigError, UsageError} from '../errors.js'
import {checkSourceOptions, configuredSource, saveKeySource} from './config.js'
import {
  checkKeysProfile, heldBy, KeysSettings, requireStores, sameKeys, testPause,
} from './settings.js'

export type ImportStep = 'configured' | 'read' | 'removed' | 'stored' | 'verified'

export interface ImportResult {
  accessKeyId: string
  /** imported: moved now; already: a run before had moved them, nothing was left to do. */
  action: 'already' | 'imported'
}

export async function importKeys(settings: KeysSettings, source: KeySource, deps: {force?: boolean; onStep?: (step: ImportStep) => void; signal?: AbortSignal} = {}): Promise<ImportResult> {
  const {profile} = settings
  const step = (name: ImportStep) => testPause(name, () => deps.onStep?.(name), deps.signal)
  if (source.inCredentialsFile) {
    throw new UsageError(`the keys of ${profile} are in the credentials file already`, 'name the source to move them into with --source NAME')
  }

  requireStores(source, 'choose a source that keeps keys with --source')

  checkSourceOptions(settings.keySourceOptions)
  await checkKeysProfile(settings)
  const file = await readSharedFile(settings.credentialsFile, 'credentials file')
  checkKeysSection(file, profile)
  const keys = fileKeys(file, profile)
  if (!keys) {
    // A run before may have finished the move: the config points at the source, which holds keys.
    const config = await readSharedFile(settings.configFile, 'config file')
    const held = configuredSource(config.view, profile) === source.name ? await heldBy(source, profile) : undefined
    if (held) return {accessKeyId: maskKeyId(held.accessKeyId), action: 'already'}
    throw new ConfigError(`[${profile}] of ${settings.credentialsFile} holds no long-term keys to import`, `to add a key to ${source.name}: mfa-creds keys add -p ${profile} --source ${source.name}`)
  }

  await step('read')
  const held = await heldBy(source, profile)
  if (held && !sameKeys(held, keys) && !deps.force) {
    throw new ConfigError(
      `${source.name} already holds another key for ${profile} (${maskKeyId(held.accessKeyId)}; the file's is ${maskKeyId(keys.accessKeyId)}); nothing was changed`,
      `to replace it with the file's pass --force; to keep it, remove the file's: mfa-creds keys remove -p ${profile} --source credentials-file`,
    )
  }

  const stored = !sameKeys(held, keys)
  if (stored) await source.store(profile, keys)
  await step('stored')
  const back = await heldBy(source, profile)
  if (!sameKeys(back, keys)) {
    // What it holds is not the key it was given: take back what we put there, the file keeps its own.
    if (stored) await source.remove(profile).catch(() => {})
    throw new ConfigError(
      `${source.name} did not give back the key it was given for ${profile} (${back ? `it gave ${maskKeyId(back.accessKeyId)}` : 'it gave none'}); the key stays in ${settings.credentialsFile}`,
      'check the source (mfa-creds keys list), then run the import again',
    )
  }

  await step('verified')
  await saveKeySource(settings, source.name, settings.keySourceOptions)
  await step('configured')
  await removeFileKeys(settings.credentialsFile, profile, {lockTimeoutMs: settings.lockTimeoutMs, only: keys, signal: deps.signal})
  await step('removed')
  return {accessKeyId: maskKeyId(keys.accessKeyId), action: 'imported'}
}
