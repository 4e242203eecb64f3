/**
 * The AWS config file (`$AWS_CONFIG_FILE`, else ~/.aws/config), read into profiles the way
 * botocore's `build_profile_map` does: `[profile NAME]` headers split with POSIX shell rules,
 * `[default]` is the default profile, and a later section of one name wins over an earlier one.
 */
import type {LongTermKeys} from './sts.js'

import {ConfigError, UsageError} from '../errors.js'
import {IniValue, IniView, profileView} from '../ini/parse.js'
import {IniFileSnapshot} from '../ini/snapshot.js'

/**
 * A profile's settings that tell botocore where its credentials come from other than static
 * keys in the shared files. Keys written into such a profile would be ignored, or (for
 * credential_process, which static keys take precedence over) stop that process from running.
 */
export const OTHER_CREDENTIAL_SETTINGS = ['role_arn', 'credential_source', 'credential_process', 'web_identity_token_file', 'sso_session', 'sso_start_url'] as const

/** Python's `shlex.split(s)` (POSIX mode, no comments); undefined where it raises ValueError. */
export function shlexSplit(text: string): string[] | undefined {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: "'" | '"' | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quote === "'") {
      if (ch === "'") quote = undefined
      else word += ch
    } else if (quote === '"') {
      if (ch === '"') {
        quote = undefined
      } else if (ch === '\\' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === '\\')) {
        word += text[++i]
      } else if (ch === '\\' && i + 1 >= text.length) {
        return undefined
      } else {
        word += ch
      }
    } else switch (ch) {
      case ' ':
      case '\t':
      case '\r':
      case '\n': {
        if (inWord) words.push(word)
        word = ''
        inWord = false

        break
      }

      case '"':
      case "'": {
        quote = ch
        inWord = true

        break
      }

      case '\\': {
        if (i + 1 >= text.length) return undefined
        word += text[++i]
        inWord = true

        break
      }

      default: {
        word += ch
        inWord = true
      }
    }
  }

  if (quote) return undefined
  if (inWord) words.push(word)
  return words
}

export type Profile = Record<string, IniValue>

/** botocore's profile map: profile name -> its keys. */
export function profileMap(view: IniView): Map<string, Profile> {
  const profiles = new Map<string, Profile>()
  for (const [key, values] of Object.entries(view)) {
    if (key.startsWith('profile')) {
      const parts = shlexSplit(key)
      if (parts?.length === 2) profiles.set(parts[1], values)
    } else if (key === 'default') {
      profiles.set(key, values)
    }
  }

  return profiles
}

/**
 * The section botocore takes a profile's keys from (the last one that names it, written in any
 * shell-quoting), so an edit lands where botocore will read it; undefined when there is none.
 */
export function profileSectionName(view: IniView, profile: string): string | undefined {
  let found: string | undefined
  for (const key of Object.keys(view)) {
    if (key === 'default' ? profile === 'default' : key.startsWith('profile') && shlexSplit(key)?.length === 2 && shlexSplit(key)![1] === profile) found = key
  }

  return found
}

/** A string value of a profile key (nested blocks are not strings). */
export function stringValue(profile: Profile | undefined, key: string): string | undefined {
  const value = profile?.[key]
  return typeof value === 'string' ? value : undefined
}

/** The section a config-file key for `profile` would be written to. */
export function configSectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`
}

/**
 * The session token botocore signs with for a section: aws_session_token if the key is there,
 * else aws_security_token. An empty value is no token: botocore then signs without one.
 */
export function sessionTokenOf(view: Record<string, IniValue>): string | undefined {
  const token = Object.hasOwn(view, 'aws_session_token') ? view.aws_session_token : view.aws_security_token
  return typeof token === 'string' && token !== '' ? token : undefined
}

function filled(value: IniValue | undefined): value is string {
  return typeof value === 'string' && value !== ''
}

/** Whether a section holds an IAM user's long-term keys: an access key and a secret, and no session token. */
export function holdsLongTermKeys(view: Record<string, IniValue> | undefined): boolean {
  return view !== undefined && filled(view.aws_access_key_id) && filled(view.aws_secret_access_key) && sessionTokenOf(view) === undefined
}

/** The long-term keys of [P] in the credentials file, or a ConfigError that says what is missing. */
export function sourceKeys(snapshot: IniFileSnapshot, profile: string): LongTermKeys {
  const file = snapshot.path
  if (!snapshot.exists) {
    throw new ConfigError(`the credentials file ${file} does not exist, so there are no long-term keys for profile ${profile}`, `run: aws configure --profile ${profile}`)
  }

  const section = profileView(snapshot.doc, profile)
  if (!section) {
    throw new ConfigError(`there is no [${profile}] section in ${file}, so no long-term keys to call STS with`, `run: aws configure --profile ${profile}`)
  }

  const accessKeyId = section.aws_access_key_id
  const secretAccessKey = section.aws_secret_access_key
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw new ConfigError(
      `[${profile}] in ${file} lacks aws_access_key_id or aws_secret_access_key`,
      `put an IAM user's access key into [${profile}] (aws configure --profile ${profile})`,
    )
  }

  if (sessionTokenOf(section) !== undefined) {
    throw new ConfigError(
      `[${profile}] in ${file} holds session credentials (it has aws_session_token), but GetSessionToken needs an IAM user's long-term keys`,
      'use the profile that holds your long-term keys with --profile',
    )
  }

  return {accessKeyId, secretAccessKey}
}

/**
 * Whose long-term keys sign for `profile`, the one rule of every command (refresh, setup): the
 * profile's own, or for a role profile (role_arn) its source_profile. A role given by --role-arn
 * (`roleFromFlag`) on a profile without source_profile is signed by the profile's own keys; a
 * role_arn of the config file without source_profile, or a source_profile that is itself a role,
 * is a ConfigError.
 */
export function sourceProfileOf(profile: string, profiles: Map<string, Profile>, where: string, roleFromFlag = false): string {
  const config = profiles.get(profile)
  if (!roleFromFlag && !stringValue(config, 'role_arn')) return profile
  const configured = stringValue(config, 'source_profile')
  if (!configured && !roleFromFlag) {
    const other = ['credential_source', 'web_identity_token_file'].find(k => stringValue(config, k) !== undefined)
    throw new ConfigError(
      `role_arn in ${where} has no source_profile${other ? ` (${other} is not supported: mfa-creds signs with an IAM user's long-term keys)` : ''}`,
      `add source_profile = PROFILE (the profile whose long-term keys are in the credentials file) to ${where}`,
    )
  }

  const source = configured || profile
  if (source !== profile && stringValue(profiles.get(source), 'role_arn')) {
    throw new ConfigError(
      `source_profile ${source} of ${where} is itself a role; mfa-creds assumes roles from an IAM user's keys only`,
      'set source_profile to the profile that holds your long-term keys in the credentials file',
    )
  }

  return source
}

/**
 * A pluggable choice (prompt provider, credential source or writer): the flag, else mfa_creds_KIND in the profile's
 * config section, else the default; its options from mfa_creds_KIND_KEY, then KEY=VALUE flags.
 */
export function extensionChoice(kind: 'prompt' | 'source' | 'writer', flag: string | undefined, flagOptions: string[] | undefined, profile: Profile | undefined, fallback: string): {choice: string; options: Record<string, string>; source: 'config' | 'default' | 'flag'} {
  const key = `mfa_creds_${kind}`
  const fromConfig = stringValue(profile, key)
  const options: Record<string, string> = {}
  for (const [name, value] of Object.entries(profile ?? {})) {
    if (name.startsWith(`${key}_`) && typeof value === 'string') options[name.slice(key.length + 1)] = value
  }

  for (const option of flagOptions ?? []) {
    const m = /^([\w-]+)=(.*)$/s.exec(option)
    if (!m) throw new UsageError(`--${kind}-option ${JSON.stringify(option)} is not KEY=VALUE`, `e.g. --${kind}-option name=value`)
    options[m[1].toLowerCase()] = m[2]
  }

  let source: 'config' | 'default' | 'flag' = 'default'
  if (flag !== undefined) source = 'flag'
  else if (fromConfig !== undefined) source = 'config'
  return {choice: flag ?? fromConfig ?? fallback, options, source}
}

/** Where the long-term keys of the source profile come from: a credential source, with its options. */
export interface KeySourceChoice {
  /** A credential source's name (default: credentials-file). */
  keySource: string
  keySourceOptions: Record<string, string>
  keySourceOrigin: 'config' | 'default' | 'flag'
}

/**
 * The credential source settings choose for `sourceProfile`: --source, else mfa_creds_source in the
 * source profile's config section (the keys' own profile: for a role, its source_profile), else
 * the credentials file; options from mfa_creds_source_KEY there, then --source-option.
 */
export function keySourceChoice(input: {source?: string; 'source-option'?: string[]}, sourceConfig: Profile | undefined): KeySourceChoice {
  const {choice, options, source} = extensionChoice('source', input.source, input['source-option'], sourceConfig, 'credentials-file')
  return {keySource: choice, keySourceOptions: options, keySourceOrigin: source}
}
