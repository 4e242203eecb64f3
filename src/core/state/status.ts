/**
 * The state at a glance: which managed profiles are fresh, who holds the lock, which watchers run.
 * Files only: no AWS SDK, no network.
 */
import {
  holdsSession, keySourceChoice, Profile, profileMap, roleChain, StaticKeys, stringValue,
} from '../aws/profiles.js'
import {readSharedFile} from '../aws/shared-file.js'
import {ConfigError} from '../errors.js'
import {
  LockHolder, lockHolders, lockPathFor, withProtocolLock,
} from '../files/lock.js'
import {IniValue} from '../ini/parse.js'
import {IniFileSnapshot} from '../ini/snapshot.js'
import {formatExpiration, parseExpiration} from '../time.js'
import {listWatchers, WatcherRecord} from './registry.js'

/** incomplete: the section lacks its key, secret or token, so it is refreshed whatever its expiration says. */
export type Validity = 'expired' | 'incomplete' | 'refresh-due' | 'unknown' | 'valid'

export interface ProfileStatus {
  /** RFC 3339 UTC, or null when the section has no readable expiration (as the seed wrote it). */
  expiration: null | string
  /**
   * Where the long-term keys it is refreshed with live, as ~/.aws/config says: the credential
   * source of the keys' profile (credentials-file, keyring, command, a plugin's); null when the
   * profile it is refreshed from is not known. Never the keys themselves.
   */
  keys: null | string
  mfaSerial: null | string
  /** The section in the credentials file. */
  profile: string
  secondsLeft: null | number
  /**
   * The profile it is refreshed from (`-p` of refresh-once and watch), when known: PROFILE for
   * PROFILE-mfa when PROFILE is in either file, or what a watcher says. For a role that is the
   * role's profile; its long-term keys come from that profile's source_profile.
   */
  sourceProfile: null | string
  state: Validity
}

export interface StatusReport {
  configFile: string
  credentialsFile: string
  lock: {held: boolean; holders: LockHolder[]; path: string}
  profiles: ProfileStatus[]
  watchers: Array<Omit<WatcherRecord, 'endpoint'> & {serving?: string}>
}

export interface StatusQuery {
  configFile: string
  credentialsFile: string
  leadTimeSeconds: number
  now: Date
  /** Only the profiles refreshed from (or named) this profile. */
  profile?: string
}

/**
 * Reads without the lock; a file that does not parse may be half-way through an in-place
 * rewrite by another tool, so it is read once more under the lock before it is called broken.
 */
async function readSteady(file: string, what: string): Promise<IniFileSnapshot> {
  try {
    return await readSharedFile(file, what)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return withProtocolLock(file, {timeoutMs: 2000}, () => readSharedFile(file, what)).catch(() => {
      throw error
    })
  }
}

export function validityOf(expiration: Date | undefined, now: Date, leadTimeSeconds: number): Validity {
  if (!expiration) return 'unknown'
  if (expiration.getTime() <= now.getTime()) return 'expired'
  if (expiration.getTime() - (leadTimeSeconds * 1000) <= now.getTime()) return 'refresh-due'
  return 'valid'
}

/** A section's state: as its expiration says, but one that would pass as valid without its key, secret or token is incomplete. */
function stateOf(view: Record<string, IniValue> | undefined, expiration: Date | undefined, query: StatusQuery): Validity {
  const validity = validityOf(expiration, query.now, query.leadTimeSeconds)
  return (validity === 'valid' || validity === 'refresh-due') && !holdsSession(view) ? 'incomplete' : validity
}

/**
 * The profiles a refresh from `profile` goes through (roleChain): the profile, the roles of its
 * chain, and last the one whose long-term keys sign; undefined when the config cannot say.
 */
function chainOf(profile: string, profiles: Map<string, Profile>, staticKeys: StaticKeys): string[] | undefined {
  try {
    return roleChain(profile, profiles, name => `[${name}]`, {staticKeys})
  } catch {
    return undefined
  }
}

/** The MFA serial a refresh from `profile` would use: the first mfa_serial down its role chain (its own, else a source_profile's). */
function serialOf(profile: null | string, profiles: Map<string, Profile>, staticKeys: StaticKeys): null | string {
  if (profile === null) return null
  const chain = chainOf(profile, profiles, staticKeys) ?? [profile]
  return chain.map(name => stringValue(profiles.get(name), 'mfa_serial')).find(Boolean) ?? null
}

/** Where the keys of a refresh from `profile` live, by the config file (keySourceChoice without flags). */
function keysOf(profile: null | string, profiles: Map<string, Profile>, staticKeys: StaticKeys): null | string {
  const keysFrom = profile === null ? undefined : chainOf(profile, profiles, staticKeys)?.at(-1)
  return keysFrom === undefined ? null : keySourceChoice({}, profiles.get(keysFrom)).keySource
}

export async function readStatus(query: StatusQuery): Promise<StatusReport> {
  const [credentials, config, watchers, holders] = await Promise.all([
    readSteady(query.credentialsFile, 'credentials file'),
    readSharedFile(query.configFile, 'config file'),
    listWatchers(query.credentialsFile),
    lockHolders(lockPathFor(query.credentialsFile)),
  ])
  const profiles = profileMap(config.view)
  const sections = new Set(credentials.doc.sections.map(s => s.name))
  const staticKeys: StaticKeys = name => {
    const view = credentials.view[name]
    return view !== undefined && (view.aws_access_key_id !== undefined || view.aws_secret_access_key !== undefined)
  }

  const watchedFrom = new Map(watchers.flatMap(w => w.targets.map(t => [t.target, t.profile] as const)))
  const managed = credentials.doc.sections.filter(s => s.options.some(o => o.name === 'expiration') || s.name.endsWith('-mfa') || watchedFrom.has(s.name))

  const report: ProfileStatus[] = []
  for (const section of managed) {
    const prefix = section.name.endsWith('-mfa') ? section.name.slice(0, -4) : undefined
    const source = watchedFrom.get(section.name) ?? (prefix !== undefined && (sections.has(prefix) || profiles.has(prefix)) ? prefix : null)
    if (query.profile !== undefined && source !== query.profile && section.name !== query.profile) continue
    const raw = credentials.view[section.name]?.expiration
    const expiration = parseExpiration(typeof raw === 'string' ? raw : undefined)
    report.push({
      expiration: expiration ? formatExpiration(expiration) : null,
      keys: keysOf(source, profiles, staticKeys),
      mfaSerial: serialOf(source, profiles, staticKeys),
      profile: section.name,
      secondsLeft: expiration ? Math.round((expiration.getTime() - query.now.getTime()) / 1000) : null,
      sourceProfile: source,
      state: stateOf(credentials.view[section.name], expiration, query),
    })
  }

  const asked = query.profile
  if (asked !== undefined && report.length === 0 && !sections.has(asked) && !profiles.has(asked) && !watchers.some(w => w.targets.some(t => t.profile === asked))) {
    throw new ConfigError(
      `no profile ${asked}: it is not in ${query.credentialsFile}, not in ${query.configFile}, and no watcher refreshes it`,
      'check the name; `mfa-creds status` without -p lists every managed profile',
    )
  }

  return {
    configFile: query.configFile,
    credentialsFile: query.credentialsFile,
    lock: {held: holders.length > 0, holders, path: lockPathFor(query.credentialsFile)},
    profiles: report,
    // The endpoint's token stays in the registry: status says only where a watcher serves.
    watchers: watchers.map(({endpoint, ...w}) => (endpoint ? {...w, serving: endpoint.origin} : w)),
  }
}
