/**
 * `keys rotate`: a new access key for the IAM user whose key the profile holds, made with the MFA
 * session, stored where the old one was, waited for until STS takes it (IAM is eventually
 * consistent), and only then the old one deleted. Before the create, a failure changes nothing.
 * After it, every failure is a RotationIncompleteError (exit 7) that says which key is live,
 * where it is stored, and what to do; `finish` completes a rotation left half-way (the new key
 * stored, the old one still live in IAM).
 */
import type {KeySource, LongTermKeys} from '../refresh/ports.js'

import {maskKeyId} from '../aws/file-keys.js'
import {
  AccessKeyInfo, createAccessKey, deleteAccessKey, iamUserName, listAccessKeys,
} from '../aws/iam.js'
import {getCallerIdentity, Signer, StsCall} from '../aws/sts.js'
import {
  ConfigError, MfaCredsError, RotationIncompleteError, StsRefusedError, StsUnavailableError, throwIfAborted,
} from '../errors.js'
import {sleep} from '../time.js'
import {
  heldBy, KeysSettings, requireStores, sameKeys, testPause,
} from './settings.js'

export type RotateStep = 'created' | 'deleted' | 'stored' | 'works'

export interface RotateDeps {
  /** The MFA session that signs the IAM calls (refreshed by the caller when due, which may ask for a code). */
  mfaSession: () => Promise<Signer>
  onStep?: (step: RotateStep, keyId: string) => void
  signal?: AbortSignal
  /** How long to wait for STS to take the new key (default 120 s, MFA_CREDS_ROTATE_WAIT seconds). */
  waitMs?: number
}

export interface RotateResult {
  /** Masked. */
  newKey: string
  /** Masked. */
  oldKey: string
  profile: string
  source: string
  userName: string
}

function rotateWaitMs(env = process.env): number {
  const seconds = Number(env.MFA_CREDS_ROTATE_WAIT)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 120_000
}

function listed(list: AccessKeyInfo[]): string {
  return list.map(k => maskKeyId(k.accessKeyId)).join(', ')
}

/** Waits until STS takes `keys` (GetCallerIdentity signed with them), with backoff, up to `waitMs`. */
async function waitUntilWorks(call: Omit<StsCall, 'credentials'>, keys: LongTermKeys, waitMs: number): Promise<boolean> {
  const deadline = performance.now() + waitMs
  for (let delay = 500; ; delay = Math.min(delay * 2, 8000)) {
    try {
      await getCallerIdentity({...call, credentials: keys})
      return true
    } catch (error) {
      if (!(error instanceof StsRefusedError || error instanceof StsUnavailableError)) throw error
    }

    const left = deadline - performance.now()
    if (left <= 0) return false
    await sleep(Math.min(delay, left), call.signal)
  }
}

interface Rotation {
  old: LongTermKeys
  session: StsCall
  settings: KeysSettings
  source: KeySource
  userName: string
}

/** After the new key is stored: wait until it works, then delete the old one. */
async function retire(rotation: Rotation, stored: LongTermKeys, deps: RotateDeps, oldKeyId: string): Promise<RotateResult> {
  const {session, settings, source, userName} = rotation
  const {profile} = settings
  const newKey = maskKeyId(stored.accessKeyId)
  const oldKey = maskKeyId(oldKeyId)
  const finish = `mfa-creds keys rotate -p ${profile} --finish`
  const call = {
    credentialsProfile: profile, endpoint: settings.stsEndpoint, region: settings.region, signal: deps.signal, viaSdk: settings.stsViaSdk,
  }
  if (!(await waitUntilWorks(call, stored, deps.waitMs ?? rotateWaitMs()))) {
    throw new RotationIncompleteError(
      `the new key ${newKey} is stored in ${source.name}, but STS did not take it within ${Math.round((deps.waitMs ?? rotateWaitMs()) / 1000)} s; the old key ${oldKey} is still live in IAM and was not deleted`,
      `IAM can take a while: later run ${finish}, which deletes the old key once the new one works`,
    )
  }

  await testPause('works', () => deps.onStep?.('works', newKey), deps.signal)
  try {
    await deleteAccessKey(session, userName, oldKeyId)
  } catch (error) {
    if (!(error instanceof MfaCredsError)) throw error
    throw new RotationIncompleteError(
      `the new key ${newKey} is stored in ${source.name} and works, but deleting the old key ${oldKey} failed: ${error.message}`,
      `the old key is still live in IAM: run ${finish} again, or delete it in the IAM console (user ${userName})`,
    )
  }

  await testPause('deleted', () => deps.onStep?.('deleted', oldKey), deps.signal)
  return {
    newKey, oldKey, profile, source: source.name, userName,
  }
}

/** What to do after a failed store: the source holds the new key (go on), the old one (take the new one back), or neither. */
async function afterFailedStore(rotation: Rotation, created: LongTermKeys, error: MfaCredsError): Promise<never | undefined> {
  const {old, session, settings, source, userName} = rotation
  const newKey = maskKeyId(created.accessKeyId)
  const oldKey = maskKeyId(old.accessKeyId)
  const now = await heldBy(source, settings.profile)
  if (sameKeys(now, created)) return undefined
  if (sameKeys(now, old)) {
    try {
      await deleteAccessKey(session, userName, created.accessKeyId)
    } catch {
      throw new RotationIncompleteError(
        `the new key ${newKey} was made in IAM but could not be stored in ${source.name} (${error.message}), and deleting it again failed; it is stored nowhere`,
        `the old key ${oldKey} is still live and stored in ${source.name}: keep using it, and delete ${newKey} in the IAM console (user ${userName})`,
      )
    }

    throw new RotationIncompleteError(
      `the new key ${newKey} could not be stored in ${source.name} (${error.message}), so it was deleted again; nothing changed`,
      `the old key ${oldKey} is still live and stored in ${source.name}; fix the source, then rotate again`,
    )
  }

  throw new RotationIncompleteError(
    `the new key ${newKey} was made in IAM but could not be stored in ${source.name} (${error.message}), and ${source.name} now gives ${now ? `another key, ${maskKeyId(now.accessKeyId)}` : 'no key'}`,
    `both ${oldKey} and ${newKey} are live in IAM (user ${userName}); put the old key back (mfa-creds keys add -p ${settings.profile} --force) and delete ${newKey} in the IAM console`,
  )
}

export async function rotateKeys(settings: KeysSettings, source: KeySource, deps: RotateDeps & {finish?: boolean}): Promise<RotateResult> {
  const {profile} = settings
  requireStores(source, 'rotate the key where that source takes it from')
  const old = await source.get(profile, {signal: deps.signal})
  const call = {credentialsProfile: profile, region: settings.region, signal: deps.signal}
  const {arn} = await getCallerIdentity({
    ...call, credentials: old, endpoint: settings.stsEndpoint, viaSdk: settings.stsViaSdk,
  })
  const userName = iamUserName(arn, profile)
  if (!userName) throw new ConfigError(`the key of ${profile} is the account's root user's: mfa-creds rotates IAM users' keys only`, 'use an IAM user\'s key for everyday work')
  const session: StsCall = {
    ...call, credentials: await deps.mfaSession(), credentialsProfile: `${profile}-mfa`, endpoint: settings.iamEndpoint,
  }
  const rotation: Rotation = {
    old, session, settings, source, userName,
  }
  const keys = await listAccessKeys(session, userName)
  const others = keys.filter(k => k.accessKeyId !== old.accessKeyId)
  if (deps.finish) {
    if (others.length !== 1) {
      throw new ConfigError(
        `there is no rotation of ${profile} to finish: IAM lists ${others.length === 0 ? 'no key' : `${others.length} keys`} of ${userName} besides the stored one (${maskKeyId(old.accessKeyId)})`,
        others.length === 0 ? `to rotate: mfa-creds keys rotate -p ${profile}` : `delete the ones not in use in the IAM console: ${listed(others)}`,
      )
    }

    return retire(rotation, old, deps, others[0].accessKeyId)
  }

  if (others.length > 0) {
    throw new ConfigError(
      `IAM user ${userName} has another key besides the one stored for ${profile} (${listed(others)}), and IAM allows two: a rotation left half-way, or a key used elsewhere; nothing was changed`,
      `if ${maskKeyId(old.accessKeyId)} (stored) is the new key of a rotation left half-way: mfa-creds keys rotate -p ${profile} --finish deletes the other; if the other is used elsewhere, delete one in the IAM console first`,
    )
  }

  throwIfAborted(deps.signal)
  const made = await createAccessKey(session, userName)
  const created = {accessKeyId: made.accessKeyId, secretAccessKey: made.secretAccessKey}
  await testPause('created', () => deps.onStep?.('created', maskKeyId(created.accessKeyId)), deps.signal)
  try {
    await source.store(profile, created)
  } catch (error) {
    if (!(error instanceof MfaCredsError)) throw error
    await afterFailedStore(rotation, created, error)
  }

  await testPause('stored', () => deps.onStep?.('stored', maskKeyId(created.accessKeyId)), deps.signal)
  return retire(rotation, created, deps, old.accessKeyId)
}
