/**
 * Handing the current session credentials to other programs: `export` (shell, PowerShell, JSON)
 * and `credential-process` (the AWS SDKs' credential_process protocol). These print secrets on
 * purpose, to stdout only, when asked; nothing else ever does.
 */
import {ConfigError} from '../errors.js'
import {profileView} from '../ini/parse.js'
import {formatExpiration, isFresh, parseExpiration} from '../time.js'
import {readSharedFile} from './shared-file.js'
import {SessionCredentials} from './sts.js'

export const EXPORT_FORMATS = ['env', 'env-no-export', 'powershell', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** The session credentials in [target] of the credentials file, if present and not expired. */
export async function readSessionCredentials(credentialsFile: string, target: string, profile: string, now = new Date()): Promise<SessionCredentials> {
  const snapshot = await readSharedFile(credentialsFile, 'credentials file')
  const section = profileView(snapshot.doc, target)
  const value = (key: string) => (typeof section?.[key] === 'string' ? (section[key] as string) : '')
  const expiration = parseExpiration(value('expiration'))
  const token = value('aws_session_token') || value('aws_security_token')
  const hint = `run: mfa-creds refresh-once -p ${profile}`
  if (!section || !value('aws_access_key_id') || !value('aws_secret_access_key') || !token) {
    throw new ConfigError(`there are no session credentials in [${target}] of ${credentialsFile}`, hint)
  }

  if (!isFresh(expiration, now, 0)) {
    throw new ConfigError(`the session credentials in [${target}] ${expiration ? 'have expired' : 'have no expiration, so they cannot be trusted to be valid'}`, hint)
  }

  return {
    accessKeyId: value('aws_access_key_id'), expiration: expiration!, secretAccessKey: value('aws_secret_access_key'), sessionToken: token,
  }
}

/** POSIX shells: single quotes, with a ' closed, escaped and reopened; every other byte literal. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", String.raw`'\''`)}'`
}

/** PowerShell: single quotes, with ' doubled; every other character literal. */
function powershellQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** The credential_process JSON (Version 1). */
export function credentialProcessJson(c: SessionCredentials): string {
  return JSON.stringify({
    AccessKeyId: c.accessKeyId, Expiration: formatExpiration(c.expiration), SecretAccessKey: c.secretAccessKey, SessionToken: c.sessionToken, Version: 1,
  })
}

export function formatExport(c: SessionCredentials, format: ExportFormat): string {
  const vars: Array<[string, string]> = [
    ['AWS_ACCESS_KEY_ID', c.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
    ['AWS_SESSION_TOKEN', c.sessionToken],
    ['AWS_CREDENTIAL_EXPIRATION', formatExpiration(c.expiration)],
  ]
  switch (format) {
    case 'env': {
      return vars.map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n')
    }

    case 'env-no-export': {
      return vars.map(([k, v]) => `${k}=${shellQuote(v)}`).join('\n')
    }

    case 'json': {
      return credentialProcessJson(c)
    }

    case 'powershell': {
      return vars.map(([k, v]) => `$Env:${k}=${powershellQuote(v)}`).join('\n')
    }
  }
}
