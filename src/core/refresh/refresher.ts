/**
 * The one refresh cycle every command shares (DESIGN.md, "The refresh cycle"):
 * read -> (fresh? done) -> per-target prompt lock -> re-read -> ask -> STS -> write under the
 * protocol lock. The core never prints: it reports progress through `onEvent` and returns values.
 */

import type {
  CredentialWriter, KeySource, PromptProvider, TargetState,
} from './ports.js'

import {readSessionCredentials} from '../aws/session-credentials.js'
import {parseRawFile, readWhole} from '../aws/shared-file.js'
import {
  assumeRole, getSessionToken, SessionCredentials, Signer,
} from '../aws/sts.js'
import {
  ConfigError, InternalError, InvalidCodeError, StsRefusedError, StsUnavailableError, throwIfAborted,
} from '../errors.js'
import {
  DEFAULT_LOCK_TIMEOUT, describeHolders, withProtocolLock, withStateLock,
} from '../files/lock.js'
import {FileTarget} from '../files/target.js'
import {IniFileSnapshot} from '../ini/snapshot.js'
import {isFresh, sleep} from '../time.js'
import {RefreshSettings, RoleSettings, sessionSettings} from './settings.js'

export const MAX_CODE_ATTEMPTS = 3
const WHAT = 'credentials file'

export type RefreshEvent =
  | {attempt: number; type: 'prompting'}
  | {attemptsLeft: number; type: 'code-rejected'}
  | {delayMs: number; failures: number; reason: string; reusesCode: boolean; type: 'retrying'}
  | {holders: string; lock: 'credentials' | 'prompt'; type: 'lock-wait'}
  | {type: 'calling-sts'}

export interface RefreshDeps {
  /** Where the source profile's long-term keys come from (asked before any prompt). */
  keys: KeySource
  /** A monotonic clock in ms for durations (how old a typed code is); default performance.now. */
  monotonicNow?: () => number
  /** The wall clock, for comparing with expirations. */
  now?: () => Date
  onEvent?: (event: RefreshEvent) => void
  prompt: PromptProvider
  /** How the MFA session a role is assumed from is written into its own target (the credentials file's writer). */
  sessionWriter?: (credentialsFile: string) => CredentialWriter
  /** Shutting down: abandon waits, prompts and STS calls (AbortedError); a write under way completes. */
  signal?: AbortSignal
  writer: CredentialWriter
}

/** Retrying transient STS failures (network, 5xx, throttling) instead of failing at once. */
export interface TransientRetry {
  baseDelayMs: number
  /** A typed code is sent again on a retry for this long after it was typed; then a new one is asked for. */
  codeReuseMs: number
  maxDelayMs: number
  random?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

export interface RefreshPolicy {
  /** Codes that may be asked for in one cycle when STS rejects them or they are not six digits. Default: 3 when the provider is a terminal, else 1. */
  codeAttempts?: number
  /** Off (fail at once) when undefined. */
  transient?: TransientRetry
}

export interface RefreshResult {
  /** fresh: nothing to do; refreshed: new credentials written; kept-newer: another instance's were newer. */
  action: 'fresh' | 'kept-newer' | 'refreshed'
  credentialsFile: string
  /** When the target's credentials expire now. */
  expiration?: Date
  profile: string
  targetProfile: string
  /**
   * For a role assumed from what another target keeps (the MFA session, or the role below it in a
   * chain): that target's own refresh, as it went (fresh, when it was still valid).
   */
  via?: RefreshResult
}

/** Where two instances agree on who asks for a code for this target (flock, our own). */
export function promptLockName(settings: Pick<RefreshSettings, 'targetProfile'>): string {
  return `prompt-${encodeURIComponent(settings.targetProfile)}.lock`
}

function wholeSeconds(c: SessionCredentials): SessionCredentials {
  return {...c, expiration: new Date(Math.floor(c.expiration.getTime() / 1000) * 1000)}
}

/** Exponential backoff with jitter: between half and all of base * 2^(n-1), capped. */
export function backoffDelay(failures: number, retry: Pick<TransientRetry, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const full = Math.min(retry.maxDelayMs, retry.baseDelayMs * (2 ** Math.min(failures - 1, 30)))
  return Math.round((full / 2) + ((retry.random ?? Math.random)() * full / 2))
}

/**
 * Gets credentials from STS: asks for a code (when `exchange` needs one) and exchanges it. A
 * rejected or malformed code is asked for again (policy.codeAttempts in all); with
 * policy.transient, STS failures are retried after a backoff, sending the same code while it is
 * fresh enough and asking for a new one after that.
 */
async function obtain(
  settings: RefreshSettings,
  deps: RefreshDeps,
  policy: RefreshPolicy,
  exchange: Exchange,
): Promise<SessionCredentials> {
  const tries = policy.codeAttempts ?? (deps.prompt.retriesRejectedCodes ? MAX_CODE_ATTEMPTS : 1)
  const {signal} = deps
  const elapsed = deps.monotonicNow ?? (() => performance.now())
  let code: string | undefined
  let typedAt = elapsed()
  let asked = 0
  let rejections = 0
  let failures = 0
  let reason: string | undefined
  for (;;) {
    throwIfAborted(signal)
    if (code === undefined && exchange.needsCode) {
      deps.onEvent?.({attempt: ++asked, type: 'prompting'})
      const answer = (await deps.prompt.ask({
        attempt: asked,
        profile: settings.profile,
        reason,
        serial: settings.mfaSerial,
        signal,
        targetProfile: settings.targetProfile,
        timeoutMs: settings.promptTimeoutMs,
      })).trim()
      typedAt = elapsed()
      if (!/^\d{6}$/.test(answer)) {
        if (++rejections < tries) {
          reason = 'That was not a six-digit code; try again.'
          continue
        }

        throw new InvalidCodeError('the MFA code must be six digits; nothing was sent to AWS', 'enter the six-digit code your MFA device shows')
      }

      code = answer
    }

    try {
      deps.onEvent?.({type: 'calling-sts'})
      return wholeSeconds(await exchange.call(code))
    } catch (error) {
      if (error instanceof StsRefusedError && error.wrongCode && ++rejections < tries) {
        deps.onEvent?.({attemptsLeft: tries - rejections, type: 'code-rejected'})
        reason = 'AWS rejected that code; wait for the next one and enter it.'
        code = undefined
        continue
      }

      if (!(error instanceof StsUnavailableError) || !policy.transient) throw error
      const retry = policy.transient
      const delayMs = backoffDelay(++failures, retry)
      const reusesCode = exchange.needsCode && elapsed() + delayMs - typedAt <= retry.codeReuseMs
      deps.onEvent?.({
        delayMs, failures, reason: error.message, reusesCode, type: 'retrying',
      })
      await (retry.sleep ?? sleep)(delayMs, signal)
      if (exchange.needsCode && elapsed() - typedAt > retry.codeReuseMs) {
        code = undefined
        reason = 'The code you typed is too old to send again; enter the current one.'
      }
    }
  }
}

/** What a call to STS for a target is: how to make it (with the code, if one is needed), and whether a code is needed now. */
interface Exchange {
  call: (code: string | undefined) => Promise<SessionCredentials>
  readonly needsCode: boolean
}

/** A role's hops from the bottom up: for a chain assumed on the way (no session kept), every role down to the keys; else the role alone. */
function hopsOf(settings: RefreshSettings): RefreshSettings[] {
  const hops = [settings]
  while (!hops[0].role?.session && hops[0].role?.chained) hops.unshift(hops[0].role.chained)
  return hops
}

/**
 * The STS exchange for a target, signed by `signer` (read from [signerProfile]): GetSessionToken
 * with the code; for a role, AssumeRole with the code, or with none when an MFA session signs.
 * A chain assumed without a session is assumed hop by hop from the bottom, the code going to the
 * first; a hop's credentials are kept for a retry, so a code is never sent twice.
 */
function stsExchange(settings: RefreshSettings, signer: Signer, signerProfile: string, signal: AbortSignal | undefined, withCode: boolean): Exchange {
  const hops = hopsOf(settings)
  const got: SessionCredentials[] = []
  const call = async (code: string | undefined) => {
    for (let i = got.length; i < hops.length; i++) {
      const hop = hops[i]
      const common = {
        credentials: i === 0 ? signer : got[i - 1],
        credentialsProfile: i === 0 ? signerProfile : hops[i - 1].profile,
        durationSeconds: hop.durationSeconds,
        endpoint: settings.endpoint,
        region: settings.region,
        signal,
        viaSdk: settings.viaSdk,
      }
      const mfa = i === 0 && code !== undefined ? {code, serial: settings.mfaSerial} : undefined
      got.push(hop.role ? await assumeRole({...common, ...roleParameters(hop.role), mfa}) : await getSessionToken({...common, mfa: mfa!}))
    }

    return got.at(-1)!
  }

  return {
    call,
    get needsCode() {
      return withCode && got.length === 0
    },
  }
}

function roleParameters(role: RoleSettings): {externalId?: string; roleArn: string; sessionName: string} {
  return {externalId: role.externalId, roleArn: role.arn, sessionName: role.sessionName ?? `mfa-creds-${Math.floor(Date.now() / 1000)}`}
}

/**
 * A role assumed without a code from what signs it: the source profile's MFA session, or for a
 * chained role the hop below (itself a role, refreshed the same way). That is refreshed first
 * when it is due (asking for a code once, for every role that uses it, under its own prompt lock),
 * then signs AssumeRole. A session STS no longer accepts (revoked, or expired early) is replaced once.
 */
async function assumeFromSession(settings: RefreshSettings, deps: RefreshDeps, policy: RefreshPolicy): Promise<{credentials: SessionCredentials; via: RefreshResult}> {
  const session = sessionSettings(settings)
  if (!deps.sessionWriter) throw new InternalError('a role assumed from an MFA session needs a writer for that session (RefreshDeps.sessionWriter)')
  const sessionDeps = {...deps, writer: deps.sessionWriter(session.credentialsFile)}
  for (let attempt = 1; ; attempt++) {
    const via = await refreshOnce({...session, force: attempt > 1}, sessionDeps, policy)
    const signer = await readSessionCredentials(session.credentialsFile, session.targetProfile, session.profile)
    try {
      return {credentials: await obtain(settings, deps, policy, stsExchange(settings, signer, session.targetProfile, deps.signal, false)), via}
    } catch (error) {
      if (!(error instanceof StsRefusedError && error.sessionRejected && attempt === 1)) throw error
    }
  }
}

export async function refreshOnce(settings: RefreshSettings, deps: RefreshDeps, policy: RefreshPolicy = {}): Promise<RefreshResult> {
  const now = deps.now ?? (() => new Date())
  const base = {credentialsFile: settings.credentialsFile, profile: settings.profile, targetProfile: settings.targetProfile}

  const onLockWait = (holders: string) => deps.onEvent?.({holders, lock: 'credentials', type: 'lock-wait'})

  // Step 2: no lock needed to see that nothing is due. Tools that rewrite the file in place (under
  // the lock, as the protocol asks) can show a lock-free reader half a file, so a failure here is
  // not final: the read that decides to prompt is made under the lock below.
  let first: TargetState | undefined
  let reference: IniFileSnapshot | undefined
  const readCredentials = () => FileTarget.read(settings.credentialsFile, WHAT)
  const raw = readCredentials()
  const {keys: source} = deps
  // Keys kept in the file: no file at all (or /dev/null) is no half-written one (in-place writers
  // truncate, they do not delete): fail now, having created nothing (no directory, lock file or
  // state directory). Keys kept elsewhere are asked for once, below, before any prompt.
  if (!raw.id && source.inCredentialsFile) await source.get(settings.sourceProfile, {credentials: parseRawFile(raw, WHAT)})
  try {
    const before = parseRawFile(raw, WHAT)
    if (source.inCredentialsFile) await source.get(settings.sourceProfile, {credentials: before})
    first = await deps.writer.read(settings.targetProfile, before)
    reference = before
    if (!settings.force && isFresh(first.expiration, now(), settings.leadTimeSeconds)) {
      return {...base, action: 'fresh', expiration: first.expiration}
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
  }

  // Step 3: one prompt per target at a time; whoever waited re-reads and may find it done. This
  // read, the one that decides, holds the protocol lock for the moment it takes (never across the
  // prompt), and fails here, before any prompt, if the file or the keys are unusable.
  const onPromptWait = () => deps.onEvent?.({holders: '', lock: 'prompt', type: 'lock-wait'})
  // Whose keys no read or write may find missing from the file: the source profile's, when the file keeps them.
  const keptInFile = source.inCredentialsFile ? settings.sourceProfile : undefined
  return withStateLock(settings.credentialsFile, promptLockName(settings), {onWait: onPromptWait, signal: deps.signal}, async () => {
    const {snapshot} = await withProtocolLock(
      settings.credentialsFile,
      {onWait: holders => onLockWait(describeHolders(holders)), signal: deps.signal, timeoutMs: settings.lockTimeoutMs},
      () => readWhole(readCredentials, WHAT, {reference, sourceProfile: keptInFile, target: settings.targetProfile}, {
        signal: deps.signal, timeoutMs: settings.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT * 1000,
      }),
    )
    const keys = await source.get(settings.sourceProfile, {credentials: snapshot, signal: deps.signal})
    const state = await deps.writer.read(settings.targetProfile, snapshot)
    const changed = first !== undefined && state.fingerprint !== first.fingerprint
    if ((!settings.force || changed) && isFresh(state.expiration, now(), settings.leadTimeSeconds)) {
      return {...base, action: 'fresh' as const, expiration: state.expiration}
    }

    await deps.writer.check?.(settings.targetProfile)
    // No way to ask at all (auto with no terminal and no display): say so now, not after "Asking...".
    if (!settings.role?.session) deps.prompt.check?.()

    // Steps 4-5: ask (no credentials-file lock held), then STS; a role may need no code.
    const {credentials, via} = settings.role?.session
      ? await assumeFromSession(settings, deps, policy)
      : {credentials: await obtain(settings, deps, policy, stsExchange(settings, keys, settings.sourceProfile, deps.signal, true)), via: undefined}

    // Step 6: write under the protocol lock; the writer re-reads inside it. Once the lock is
    // held the write completes even when shutting down.
    const result = await deps.writer.write({
      baseline: state.fingerprint,
      credentials,
      lockTimeoutMs: settings.lockTimeoutMs,
      onLockWait,
      signal: deps.signal,
      sourceProfile: keptInFile,
      targetProfile: settings.targetProfile,
    })
    return {
      ...base, action: result.action === 'written' ? ('refreshed' as const) : ('kept-newer' as const), expiration: result.expiration, ...(via && {via}),
    }
  })
}
