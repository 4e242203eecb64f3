/**
 * The shared files a child of `exec --server` sees instead of the user's own, so that its SDK
 * reaches the credentials endpoint and keeps every other setting of the profile.
 *
 * botocore's chain (the other SDKs' are alike) asks, in order: the environment, a role or SSO or
 * web identity in the profile, the profile's keys in the credentials file, credential_process,
 * the profile's keys in the config file, and only then the container endpoint. With AWS_PROFILE
 * removed the profile is [default], which often holds long-term keys. So the child gets:
 *
 * - a credentials file that is empty, and an empty BOTO_CONFIG (botocore reads keys from ~/.boto
 *   before the endpoint too);
 * - a config file whose [default] is the user's [default] with the profile's own section and its
 *   target's laid over it (region, output, endpoint_url, retries, s3 settings...), every way to
 *   credentials taken out, and every other section of the user's config as it was, less any keys. Nothing
 *   secret is ever written here: keys are removed from every section.
 *
 * Both live in a directory of their own (mode 0700) under the temp dir, removed when the command
 * ends. What the child writes to them (aws configure set ...) is lost with them.
 */
import fsSync from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {Profile, shlexSplit} from '../aws/profiles.js'
import {ConfigError, errnoCode} from '../errors.js'
import {IniValue, IniView} from '../ini/parse.js'

/** Secrets: removed from every section. */
const KEY_SETTINGS = new Set(['aws_access_key_id', 'aws_secret_access_key', 'aws_security_token', 'aws_session_token'])

/** Ways to credentials other than the endpoint, and mfa-creds' own settings: removed from [default]. */
const CREDENTIAL_SETTINGS = new Set([
  'credential_process',
  'credential_source',
  'duration_seconds',
  'external_id',
  'login_session',
  'mfa_serial',
  'role_arn',
  'role_session_name',
  'source_profile',
  'sso_account_id',
  'sso_region',
  'sso_role_name',
  'sso_session',
  'sso_start_url',
  'web_identity_token_file',
])

function withoutKeys(section: Record<string, IniValue>, drop: (key: string) => boolean): Record<string, IniValue> {
  return Object.fromEntries(Object.entries(section).filter(([key]) => !KEY_SETTINGS.has(key) && !drop(key)))
}

function renderSection(name: string, section: Record<string, IniValue>): string {
  const lines = [`[${name}]`]
  for (const [key, value] of Object.entries(section)) {
    if (typeof value === 'string') {
      // A value of several lines goes back as botocore reads it: continuation lines indented.
      lines.push(`${key} = ${value.split('\n').join('\n    ')}`)
    } else {
      lines.push(`${key} =`, ...Object.entries(value).map(([sub, subValue]) => `    ${sub} = ${subValue}`))
    }
  }

  return lines.join('\n')
}

/** A section botocore reads as the profile `default`: [default], or [profile default] in any shell quoting. */
function namesDefault(section: string): boolean {
  if (section === 'default') return true
  const parts = section.startsWith('profile') ? shlexSplit(section) : undefined
  return parts?.length === 2 && parts[1] === 'default'
}

/**
 * The stand-in config: [default] made of the settings of the user's own [default] with
 * `profile`'s section and then `target`'s laid over them, no way to credentials in it, `region`
 * set when given; every other section of `view` (but those botocore reads as [default]) kept,
 * less its keys.
 */
export function standInConfig(view: IniView, profiles: Map<string, Profile>, {profile, region, target}: {profile: string; region?: string; target: string}): string {
  const own = {...profiles.get('default'), ...profiles.get(profile), ...profiles.get(target)}
  const defaults: Record<string, IniValue> = withoutKeys(own, key => CREDENTIAL_SETTINGS.has(key) || key.startsWith('mfa_creds_'))
  if (region) defaults.region = region
  const sections = [renderSection('default', defaults)]
  for (const [name, section] of Object.entries(view)) {
    if (namesDefault(name)) continue
    sections.push(renderSection(name, withoutKeys(section, () => false)))
  }

  return `${sections.join('\n\n')}\n`
}

export interface StandIn {
  /** An empty file for BOTO_CONFIG: botocore reads keys from ~/.boto before the endpoint. */
  botoConfig: string
  configFile: string
  credentialsFile: string
  /** Removes the directory and both files. */
  remove(): void
}

/** Writes the stand-in files into a new private directory under the temp dir. */
export function writeStandIn(configText: string, tmpdir = os.tmpdir()): StandIn {
  let dir: string
  try {
    dir = fsSync.mkdtempSync(path.join(tmpdir, 'mfa-creds-exec-'))
  } catch (error) {
    throw new ConfigError(
      `cannot make the stand-in files for COMMAND in ${tmpdir} (${errnoCode(error) ?? (error as Error).message})`,
      'set TMPDIR to a directory you can write to',
    )
  }

  const configFile = path.join(dir, 'config')
  const credentialsFile = path.join(dir, 'credentials')
  const botoConfig = path.join(dir, 'boto')
  try {
    fsSync.chmodSync(dir, 0o700)
    fsSync.writeFileSync(configFile, configText, {flag: 'wx', mode: 0o600})
    fsSync.writeFileSync(credentialsFile, '', {flag: 'wx', mode: 0o600})
    fsSync.writeFileSync(botoConfig, '', {flag: 'wx', mode: 0o600})
  } catch (error) {
    fsSync.rmSync(dir, {force: true, recursive: true})
    throw error
  }

  return {
    botoConfig,
    configFile,
    credentialsFile,
    remove() {
      fsSync.rmSync(dir, {force: true, recursive: true})
    },
  }
}
