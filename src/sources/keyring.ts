/**
 * The built-in credential source `keyring`: the long-term keys in the OS keyring, one entry per
 * profile (service `mfa-creds`, account the profile name), through @napi-rs/keyring: on Linux the
 * Secret Service over the D-Bus session bus (gnome-keyring, KWallet, KeePassXC), pinned so it
 * never falls back to the kernel's keyutils (gone at the next reboot); macOS' Keychain and the
 * Windows Credential Manager elsewhere. The password is JSON:
 *
 *     {"accessKeyId": "AKIA...", "secretAccessKey": "...", "created": "2026-11-24T06:21:04Z"}
 *
 * `created` (when stored) is there for an age to be shown. Another tool may write the entry:
 * `secret-tool store --label=... service mfa-creds username PROFILE` with that JSON. The native
 * module is loaded when the keyring is first used, so commands that never use it start as fast.
 * What the entry holds is never shown: not in an error, not in a log.
 */
import type {LongTermKeys} from '@mfa-creds/sdk'
import type {AsyncEntry} from '@napi-rs/keyring'

import {toRfc3339, unknownOptions} from '@mfa-creds/sdk'

import type {HostSourceSpec} from '../extensions/source.js'

import {AbortedError, ConfigError} from '../core/errors.js'

/** The service every entry is kept under; the account is the profile name. */
export const KEYRING_SERVICE = 'mfa-creds'

/** How long the keyring may take: unlocking it may wait for a person at a desktop prompt. */
const KEYRING_TIMEOUT_MS = 120_000

/** An entry as it is kept: the keys, and when they were stored (undefined when another tool left it out). */
export interface KeyringEntry {
  created?: string
  keys: LongTermKeys
}

type Action = 'read' | 'remove' | 'store'

/** The command that puts keys in the keyring (the keys commands). */
function keysAdd(profile: string): string {
  return `mfa-creds keys add -p ${profile} --source keyring`
}

/** The JSON of a stored entry. */
export function formatKeyringEntry(keys: LongTermKeys, created: Date): string {
  return JSON.stringify({accessKeyId: keys.accessKeyId, created: toRfc3339(created), secretAccessKey: keys.secretAccessKey})
}

/** The keys in an entry's password, or a ConfigError that says so without repeating any of it. */
export function parseKeyringEntry(password: string, profile: string): KeyringEntry {
  let parsed: unknown
  try {
    parsed = JSON.parse(password)
  } catch {
    parsed = undefined
  }

  const entry = (parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>
  const {accessKeyId, created, secretAccessKey} = entry
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === ''
    || (created !== undefined && typeof created !== 'string')) {
    throw new ConfigError(
      `the keyring entry of profile ${profile} (service ${KEYRING_SERVICE}) is not mfa-creds' JSON`
      + ' {"accessKeyId": ..., "secretAccessKey": ..., "created": ...} (what it holds is not shown: it may be a secret)',
      `replace it: ${keysAdd(profile)}`,
    )
  }

  return {created: created as string | undefined, keys: {accessKeyId, secretAccessKey}}
}

const NO_BUS = /autolaunch|DBUS_SESSION_BUS_ADDRESS|address is empty|failed to connect to socket|connection refused|could not connect|no such file or directory|not connected|disconnected/i
const NO_SERVICE = /org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service files|NameHasNoOwner/i
const LOCKED = /\block(ed)?\b|unlock|prompt was dismissed/i
const NO_COLLECTION = /no result found|no such collection|no default collection/i

/** What the keyring said, as a ConfigError with a way out; the native message only where nothing better is known, shortened. */
export function keyringError(error: unknown, action: Action, profile: string, env: NodeJS.ProcessEnv = process.env): ConfigError {
  const message = error instanceof Error ? error.message : String(error)
  const address = env.DBUS_SESSION_BUS_ADDRESS
  if (NO_BUS.test(message)) {
    return new ConfigError(
      address
        ? `cannot reach the D-Bus session bus that the keyring (the Secret Service) is on: nothing answers at DBUS_SESSION_BUS_ADDRESS=${address}`
        : 'cannot reach the D-Bus session bus that the keyring (the Secret Service) is on: DBUS_SESSION_BUS_ADDRESS is not set',
      'run mfa-creds in your desktop session, or set DBUS_SESSION_BUS_ADDRESS to its bus'
      + ' (on a machine without a desktop: dbus-run-session, then gnome-keyring-daemon --unlock); or choose another source with --source',
    )
  }

  if (NO_SERVICE.test(message)) {
    return new ConfigError(
      'no keyring on the D-Bus session bus: nothing offers the Secret Service (org.freedesktop.secrets)',
      'start a keyring daemon (gnome-keyring-daemon --start --components=secrets, KeePassXC with Secret Service integration, KWallet), or choose another source with --source',
    )
  }

  if (LOCKED.test(message)) {
    return new ConfigError(
      `the keyring is locked, and it was not unlocked (${firstLine(message)})`,
      'unlock it (log in to the desktop, or unlock the login keyring in its passwords app; without a desktop, start gnome-keyring-daemon with --unlock), then try again',
    )
  }

  if (action === 'store' && NO_COLLECTION.test(message)) {
    return new ConfigError(
      'the keyring has no default collection to store keys in',
      'create or unlock the login keyring (the desktop\'s passwords app, e.g. seahorse), then try again',
    )
  }

  const doing = {read: 'read the keys of', remove: 'remove the keys of', store: 'store the keys of'}[action]
  return new ConfigError(`the keyring could not ${doing} profile ${profile}: ${firstLine(message)}`, 'check that the keyring is running and unlocked, then try again')
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/^(Platform failure|Couldn't access platform storage): /, '').trim().slice(0, 200)
}

/**
 * Runs one keyring call on the entry of `profile`: the module loaded now, the Secret Service
 * required on Linux, a deadline and the caller's signal, every failure a ConfigError (or
 * AbortedError when the caller stopped).
 */
async function withEntry<T>(action: Action, profile: string, signal: AbortSignal | undefined, run: (entry: AsyncEntry, signal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw new AbortedError()
  // The caller's signal or the deadline, whichever comes first (AbortSignal.any is newer than Node 20.0).
  const either = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    either.abort()
  }, KEYRING_TIMEOUT_MS)
  timer.unref()
  const onAbort = () => either.abort()
  signal?.addEventListener('abort', onAbort, {once: true})
  try {
    const {AsyncEntry} = await import('@napi-rs/keyring')
    // Opening the entry connects to the store (on Linux, the session bus): it throws there when there is none.
    const entry = new AsyncEntry(KEYRING_SERVICE, profile, {linux: {store: 'secret-service'}})
    return await run(entry, either.signal)
  } catch (error) {
    if (signal?.aborted) throw new AbortedError()
    if (timedOut) {
      throw new ConfigError(
        `the keyring did not answer within ${KEYRING_TIMEOUT_MS / 1000} s`,
        'it may be waiting for you to unlock it (a prompt on the desktop); unlock it, then try again',
      )
    }

    throw keyringError(error, action, profile)
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

/** The entry of `profile` with when it was stored, undefined when there is none. */
export async function readKeyringEntry(profile: string, signal?: AbortSignal): Promise<KeyringEntry | undefined> {
  const password = await withEntry('read', profile, signal, (entry, both) => entry.getPassword(both))
  return password === null || password === undefined ? undefined : parseKeyringEntry(password, profile)
}

export const keyringSource: HostSourceSpec = {
  description: `the OS keyring (Secret Service, macOS Keychain, Windows Credential Manager), service ${KEYRING_SERVICE}, account PROFILE`,
  async get(profile, _options, context) {
    const entry = await readKeyringEntry(profile, context.signal)
    if (!entry) throw new ConfigError(`no keys for profile ${profile} in the keyring (service ${KEYRING_SERVICE})`, `add them with ${keysAdd(profile)}`)
    // When they were stored, for keys list's age (the host passes `created` on).
    return entry.created === undefined ? entry.keys : {...entry.keys, created: entry.created}
  },
  name: 'keyring',
  /** Removing keys that are not there leaves what was asked for: no error. */
  async remove(profile, _options, context) {
    await withEntry('remove', profile, context.signal, (entry, both) => entry.deleteCredential(both))
  },
  async store(profile, keys, _options, context) {
    await withEntry('store', profile, context.signal, (entry, both) => entry.setPassword(formatKeyringEntry(keys, new Date()), both))
  },
  validateOptions: options => unknownOptions(options, []),
}
