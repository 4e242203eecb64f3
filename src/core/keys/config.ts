/**
 * Where a profile's keys are kept, written into its config section as `mfa_creds_source = NAME`
 * and its options as `mfa_creds_source_KEY = VALUE` (options of another source left there are
 * removed: the new source would refuse them), format-preserving, under the protocol lock, as
 * setup writes mfa_serial.
 */
import {
  configSectionName, profileMap, profileSectionName, stringValue,
} from '../aws/profiles.js'
import {readSharedFile, updateSharedFile} from '../aws/shared-file.js'
import {UsageError} from '../errors.js'
import {editCredentials, removeSectionKeys} from '../ini/edit.js'
import {readIni} from '../ini/parse.js'
import {snapshotOf} from '../ini/snapshot.js'
import {KeysSettings} from './settings.js'

const SOURCE_KEY = 'mfa_creds_source'
const CREDENTIALS_FILE = 'credentials-file'

/** A value the config file holds and reads back exactly: printable ASCII without spaces. */
function checkOption(key: string, value: string): void {
  if (!/^[\u0021-\u007E]+$/.test(value) || !/^[\w-]+$/.test(key)) {
    throw new UsageError(
      `--source-option ${key}=... cannot be written into the config file (a value with spaces or other characters that would not read back)`,
      `set ${SOURCE_KEY}_${key} in the profile's config section yourself; nothing was changed`,
    )
  }
}

/** The source the config names for `profile`, if any. */
export function configuredSource(view: Parameters<typeof profileMap>[0], profile: string): string | undefined {
  return stringValue(profileMap(view).get(profile), SOURCE_KEY)
}

/** Checks, before anything is stored, that the source's choice can be written into the config. */
export function checkSourceOptions(options: Record<string, string>): void {
  for (const [key, value] of Object.entries(options)) checkOption(key, value)
}

/**
 * Points the profile's config section at `source` with `options`. Nothing is written when it says
 * so already, or when the source is the credentials file and nothing is configured (the default).
 */
export async function saveKeySource(settings: KeysSettings, source: string, options: Record<string, string>): Promise<'unchanged' | 'written'> {
  checkSourceOptions(options)
  const reference = await readSharedFile(settings.configFile, 'config file')
  return updateSharedFile<'unchanged' | 'written'>(settings.configFile, {
    check: {reference}, credentialsFile: settings.credentialsFile, lockTimeoutMs: settings.lockTimeoutMs, what: 'config file',
  }, config => {
    const section = profileSectionName(config.view, settings.profile) ?? configSectionName(settings.profile)
    const profile = profileMap(config.view).get(settings.profile) ?? {}
    const now = stringValue(profile, SOURCE_KEY)
    const stale = Object.keys(profile).filter(key => key.startsWith(`${SOURCE_KEY}_`) && !Object.hasOwn(options, key.slice(SOURCE_KEY.length + 1)))
    const values: Array<[string, string]> = [[SOURCE_KEY, source], ...Object.entries(options).map(([key, value]): [string, string] => [`${SOURCE_KEY}_${key}`, value])]
    const same = now === source && stale.length === 0 && values.every(([key, value]) => stringValue(profile, key) === value)
    if (same || (source === CREDENTIALS_FILE && now === undefined && values.length === 1 && stale.length === 0)) return {result: 'unchanged'}
    let text = editCredentials(config, section, values, 'config file')
    if (stale.length > 0) {
      const edited = readIni(text)
      text = removeSectionKeys(snapshotOf({...config, doc: edited.doc, text}), section, stale, 'config file') ?? text
    }

    if (configuredSource(readIni(text).view, settings.profile) !== source) {
      throw new UsageError(`the AWS CLI could not find profile ${JSON.stringify(settings.profile)} under a [${section}] header`, 'use a profile name without spaces or quotes')
    }

    return {result: 'written', text}
  })
}
