/**
 * The one refresh cycle every command shares (DESIGN.md, "The refresh cycle"):
 * read -> (fresh? done) -> per-target prompt lock -> re-read -> ask -> STS -> write under the
 * protocol lock. The core never prints: it reports progress through `onEvent` and returns values.
 */
import path from 'node:path'

import type {PromptProvider} from '../prompts/provider.js'
import type {CredentialWriter} from '../writers/writer.js'

import {IniFileSnapshot, readIniFile} from './credentials-file.js'
import {ConfigError, InvalidCodeError, StsRefusedError} from './errors.js'
import {withFlock} from './lock.js'
import {isFresh} from './schedule.js'
import {Settings} from './settings.js'
import {getSessionToken, LongTermKeys, SessionCredentials} from './sts.js'

export const MAX_CODE_ATTEMPTS = 3

export type RefreshEvent =
  | {attempt: number; type: 'prompting'}
  | {attemptsLeft: number; type: 'code-rejected'}
  | {holders: string; lock: 'credentials' | 'prompt'; type: 'lock-wait'}
  | {type: 'calling-sts'}

export interface RefreshDeps {
  now?: () => Date
  onEvent?: (event: RefreshEvent) => void
  prompt: PromptProvider
  writer: CredentialWriter
}

export interface RefreshResult {
  /** fresh: nothing to do; refreshed: new credentials written; kept-newer: another instance's were newer. */
  action: 'fresh' | 'kept-newer' | 'refreshed'
  credentialsFile: string
  /** When the target's credentials expire now; undefined only if a fresh target had none (never). */
  expiration?: Date
  profile: string
  targetProfile: string
}

/** The long-term keys of [P] in the credentials file, or a ConfigError that says what is missing. */
export function sourceKeys(snapshot: IniFileSnapshot, profile: string): LongTermKeys {
  const file = snapshot.path
  if (!snapshot.exists) {
    throw new ConfigError(`the credentials file ${file} does not exist, so there are no long-term keys for profile ${profile}`, `run: aws configure --profile ${profile}`)
  }

  const section = snapshot.view[profile]
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

  if (section.aws_session_token !== undefined || section.aws_security_token !== undefined) {
    throw new ConfigError(
      `[${profile}] in ${file} holds session credentials (it has aws_session_token), but GetSessionToken needs an IAM user's long-term keys`,
      'use the profile that holds your long-term keys with --profile',
    )
  }

  return {accessKeyId, secretAccessKey}
}

/** Where two instances agree on who asks for a code for this target (flock, our own). */
export function promptLockPath(settings: Pick<Settings, 'credentialsFile' | 'targetProfile'>): string {
  return path.join(path.dirname(settings.credentialsFile), '.mfa-creds', `prompt-${encodeURIComponent(settings.targetProfile)}.lock`)
}

function wholeSeconds(c: SessionCredentials): SessionCredentials {
  return {...c, expiration: new Date(Math.floor(c.expiration.getTime() / 1000) * 1000)}
}

/** Asks for a code and exchanges it at STS; in a terminal, a rejected or malformed code is asked for again. */
async function obtain(settings: Settings, deps: RefreshDeps, keys: LongTermKeys): Promise<SessionCredentials> {
  const tries = deps.prompt.retriesRejectedCodes ? MAX_CODE_ATTEMPTS : 1
  let reason: string | undefined
  for (let attempt = 1; ; attempt++) {
    deps.onEvent?.({attempt, type: 'prompting'})
    const answer = await deps.prompt.ask({
      attempt,
      profile: settings.profile,
      reason,
      serial: settings.mfaSerial,
      targetProfile: settings.targetProfile,
      timeoutMs: settings.promptTimeoutMs,
    })
    const code = answer.trim()
    if (!/^\d{6}$/.test(code)) {
      if (attempt < tries) {
        reason = 'That was not a six-digit code; try again.'
        continue
      }

      throw new InvalidCodeError('the MFA code must be six digits; nothing was sent to AWS', 'enter the six-digit code your MFA device shows')
    }

    try {
      deps.onEvent?.({type: 'calling-sts'})
      return wholeSeconds(await getSessionToken({
        code,
        durationSeconds: settings.durationSeconds,
        endpoint: settings.endpoint,
        keys,
        profile: settings.profile,
        region: settings.region,
        serial: settings.mfaSerial,
      }))
    } catch (error) {
      if (error instanceof StsRefusedError && error.wrongCode && attempt < tries) {
        deps.onEvent?.({attemptsLeft: tries - attempt, type: 'code-rejected'})
        reason = 'AWS rejected that code; wait for the next one and enter it.'
        continue
      }

      throw error
    }
  }
}

export async function refreshOnce(settings: Settings, deps: RefreshDeps): Promise<RefreshResult> {
  const now = deps.now ?? (() => new Date())
  const base = {credentialsFile: settings.credentialsFile, profile: settings.profile, targetProfile: settings.targetProfile}

  // Step 2: no lock needed to see that nothing is due (and to fail before any prompt).
  const before = await readIniFile(settings.credentialsFile, 'credentials file')
  sourceKeys(before, settings.profile)
  const first = await deps.writer.read(settings.targetProfile, before)
  if (!settings.force && isFresh(first.expiration, now(), settings.leadTimeSeconds)) {
    return {...base, action: 'fresh', expiration: first.expiration}
  }

  // Step 3: one prompt per target at a time; whoever waited re-reads and may find it done.
  const onPromptWait = () => deps.onEvent?.({holders: '', lock: 'prompt', type: 'lock-wait'})
  return withFlock(promptLockPath(settings), {onWait: onPromptWait}, async () => {
    const snapshot = await readIniFile(settings.credentialsFile, 'credentials file')
    const keys = sourceKeys(snapshot, settings.profile)
    const state = await deps.writer.read(settings.targetProfile, snapshot)
    const changed = state.fingerprint !== first.fingerprint
    if ((!settings.force || changed) && isFresh(state.expiration, now(), settings.leadTimeSeconds)) {
      return {...base, action: 'fresh' as const, expiration: state.expiration}
    }

    // Steps 4-5: ask (no credentials-file lock held), then STS.
    const credentials = await obtain(settings, deps, keys)

    // Step 6: write under the protocol lock; the writer re-reads inside it.
    const result = await deps.writer.write({
      baseline: state.fingerprint,
      credentials,
      lockTimeoutMs: settings.lockTimeoutMs,
      onLockWait: holders => deps.onEvent?.({holders, lock: 'credentials', type: 'lock-wait'}),
      targetProfile: settings.targetProfile,
    })
    return {...base, action: result.action === 'written' ? ('refreshed' as const) : ('kept-newer' as const), expiration: result.expiration}
  })
}

