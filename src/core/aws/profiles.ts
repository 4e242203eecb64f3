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

/** A section holding session credentials botocore can use: an access key, a secret and a session token. */
export function holdsSession(view: Record<string, IniValue> | undefined): boolean {
  return view !== undefined && filled(view.aws_access_key_id) && filled(view.aws_secret_access_key) && sessionTokenOf(view) !== undefined
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

/** Whether botocore sees static keys in a profile (either key, as its _has_static_credentials): they then sign, whatever else it says. */
export type StaticKeys = (profile: string) => boolean

/**
 * The settings of a role profile that take its credentials from something other than an IAM
 * user's long-term keys: no MFA code is involved, so mfa-creds has nothing to refresh there.
 */
function notAnMfaRole(config: Profile | undefined, where: string): ConfigError | undefined {
  const source = stringValue(config, 'credential_source')
  if (source !== undefined) {
    return new ConfigError(
      `${where} has credential_source = ${source}: botocore takes the credentials that assume its role from the environment, the EC2 instance or the ECS container, not from an IAM user's long-term keys with an MFA code, so mfa-creds has nothing to refresh for it`,
      'use the profile as it is (the AWS CLI and the SDKs get those credentials themselves); to assume the role with MFA instead, replace credential_source with source_profile = PROFILE (the profile that holds your long-term keys)',
    )
  }

  if (stringValue(config, 'web_identity_token_file') !== undefined) {
    return new ConfigError(
      `${where} has web_identity_token_file: botocore assumes its role with a web identity token (AssumeRoleWithWebIdentity), not with an IAM user's long-term keys and an MFA code, so mfa-creds has nothing to refresh for it`,
      'use the profile as it is; to assume the role with MFA instead, remove web_identity_token_file and set source_profile = PROFILE (the profile that holds your long-term keys)',
    )
  }

  return undefined
}

/**
 * The profiles a refresh of `profile` goes through, as botocore resolves them: `profile` itself,
 * then, while the profile is a role (role_arn), its source_profile, down to the profile whose
 * long-term keys sign (the last one). A source_profile that is itself a role is a hop of a role
 * chain, unless it holds static keys (botocore then signs with those) or names itself. A role
 * given by --role-arn (`roleFromFlag`) on a profile without source_profile is signed by the
 * profile's own keys. A cycle, a role without source_profile, credential_source or a web identity
 * on the way, and a source whose credentials come from SSO are ConfigErrors.
 */
export function roleChain(profile: string, profiles: Map<string, Profile>, where: (profile: string) => string, options: {roleFromFlag?: boolean; staticKeys?: StaticKeys} = {}): string[] {
  const chain = [profile]
  for (let current = profile, top = true; ; top = false) {
    const config = profiles.get(current)
    const fromFlag = top && options.roleFromFlag === true
    if (!fromFlag && !stringValue(config, 'role_arn')) break
    if (!fromFlag) {
      const refused = notAnMfaRole(config, where(current))
      if (refused) throw refused
    }

    const configured = stringValue(config, 'source_profile')
    if (!configured && !fromFlag) {
      throw new ConfigError(
        `role_arn in ${where(current)} has no source_profile`,
        `add source_profile = PROFILE (the profile whose long-term keys are in the credentials file) to ${where(current)}`,
      )
    }

    const source = configured || current
    if (source === current) break
    if (chain.includes(source)) {
      throw new ConfigError(
        `the role chain of ${profile} loops: ${[...chain, source].join(' -> ')} (source_profile in ${where(current)} names a profile already on the way)`,
        'point one source_profile on the way at the profile that holds your long-term keys',
      )
    }

    chain.push(source)
    current = source
    // A role source with static keys is signed by them: botocore's static credentials come first.
    if (options.staticKeys?.(source) || hasStaticKeys(profiles.get(source))) break
  }

  const keys = chain.at(-1)!
  const sso = ['sso_session', 'sso_start_url'].find(k => stringValue(profiles.get(keys), k) !== undefined)
  if (chain.length > 1 && sso) {
    throw new ConfigError(
      `source_profile ${keys} of ${where(chain.at(-2)!)} has ${sso}: botocore takes its credentials from IAM Identity Center (SSO), not from an IAM user's long-term keys with an MFA code, so there is nothing for mfa-creds to refresh`,
      'use the profile as it is (aws sso login), or set source_profile to the profile that holds your long-term keys',
    )
  }

  return chain
}

function hasStaticKeys(config: Profile | undefined): boolean {
  return stringValue(config, 'aws_access_key_id') !== undefined || stringValue(config, 'aws_secret_access_key') !== undefined
}

/**
 * Whose long-term keys sign for `profile`, the one rule of every command (refresh, setup): the
 * profile's own, or for a role profile the end of its role chain (roleChain).
 */
export function sourceProfileOf(profile: string, profiles: Map<string, Profile>, where: (profile: string) => string, options: {roleFromFlag?: boolean; staticKeys?: StaticKeys} = {}): string {
  return roleChain(profile, profiles, where, options).at(-1)!
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
