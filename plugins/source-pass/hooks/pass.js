import {
  AbortedError, ConfigError, defineCredentialSource, fromRfc3339, runInOwnGroup, toRfc3339, unknownOptions,
} from '@mfa-creds/sdk'
// @ts-check
// mfa-creds credential source "pass": an IAM user's long-term keys in an entry of pass, the
// standard Unix password manager (gpg-encrypted files under ~/.password-store). get runs
// `pass show ENTRY`; store `pass insert --multiline --force ENTRY` with the entry on stdin; remove
// `pass rm --force ENTRY`. pass runs without a shell, in a process group of its own (a timeout
// or an abort ends it and the gpg it started). The keys are never in an argument, the
// environment, a message or a log: what pass prints is never shown, only the first line of what
// it said on stderr, shortened. Options: entry (default aws/PROFILE), store_dir. Built on
// @mfa-creds/sdk, its only dependency (README, "Plugins").
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** How long pass may take: gpg-agent may be asking for the key's passphrase (a pinentry window). */
export const PASS_TIMEOUT_MS = 120_000

/** What the keys are called in an entry (the credentials file's names, as `aws configure` writes them). */
const ID = 'aws_access_key_id'
const SECRET = 'aws_secret_access_key'

/** @typedef {import('@mfa-creds/sdk').ExtensionOptions} Options */
/** @typedef {import('@mfa-creds/sdk').LongTermKeys} LongTermKeys */

/**
 * The entry of a profile: the option entry, else aws/PROFILE.
 * @param {string} profile the profile whose keys these are
 * @param {Options} options the source's options
 */
export function entryOf(profile, options) {
  return options.entry || `aws/${profile}`
}

/**
 * The password store pass uses: store_dir, else PASSWORD_STORE_DIR, else ~/.password-store.
 * @param {Options} options the source's options
 */
function storeDir(options) {
  const dir = options.store_dir || process.env.PASSWORD_STORE_DIR || '~/.password-store'
  return dir === '~' || dir.startsWith('~/') ? path.join(os.homedir(), dir.slice(1)) : path.resolve(dir)
}

/**
 * Whether a .gpg-id says which key to encrypt the entry for: in its folder or one above it, up to
 * the store (pass init -p SUBFOLDER puts one in a subfolder).
 * @param {string} entry the entry
 * @param {Options} options the source's options
 */
async function initialised(entry, options) {
  const root = storeDir(options)
  for (let dir = path.dirname(path.join(root, entry)); ; dir = path.dirname(dir)) {
    if (await fs.access(path.join(dir, '.gpg-id')).then(() => true, () => false)) return true
    if (dir === root || !dir.startsWith(root)) return false
  }
}

/**
 * The first line of what pass said on stderr, shortened, unless it holds one of `secrets`.
 * @param {string} stderr what pass said
 * @param {string[]} secrets what must not be shown
 */
function said(stderr, secrets = []) {
  const line = stderr.split('\n').map(l => l.trim()).find(Boolean) ?? ''
  return secrets.some(s => line.includes(s)) ? '' : line.replace(/^Error:\s*/, '').slice(0, 200)
}

/**
 * Runs pass; what it printed on stdout, or the ConfigError that says what is wrong and how to fix it.
 * @param {'insert' | 'rm' | 'show'} action what pass is asked to do
 * @param {string[]} flags its flags
 * @param {string} entry the entry
 * @param {{options: Options, profile: string, signal?: AbortSignal | undefined, input?: string, secrets?: string[]}} how the rest
 */
async function pass(action, flags, entry, {input, options, profile, secrets, signal}) {
  const env = options.store_dir ? {...process.env, PASSWORD_STORE_DIR: storeDir(options)} : undefined
  const outcome = await runInOwnGroup('pass', [action, ...flags, '--', entry], {
    env, input, signal, timeoutMs: PASS_TIMEOUT_MS,
  })
  switch (outcome.type) {
    case 'aborted': {
      throw new AbortedError()
    }

    case 'spawn-failed': {
      if (outcome.error.code === 'ENOENT') {
        throw new ConfigError('pass is not installed (no pass on PATH)', 'install it (apt install pass, brew install pass, https://www.passwordstore.org/), or choose another source with --source')
      }

      throw new ConfigError(`cannot run pass: ${outcome.error.message}`)
    }

    case 'timed-out': {
      throw new ConfigError(`pass ${action} ${entry} did not finish within ${PASS_TIMEOUT_MS / 1000} s`, `run pass ${action} ${entry} yourself to see where it waits (a passphrase prompt?)`)
    }

    default: {
      if (outcome.code === 0) return outcome.stdout
      throw await failure(action, entry, outcome, {options, profile, secrets})
    }
  }
}

/**
 * What went wrong when pass failed, from what it said on stderr: the ConfigError that says so and how to fix it.
 * @param {'insert' | 'rm' | 'show'} action what pass was asked to do
 * @param {string} entry the entry
 * @param {{code: number | null, signal: string | null, stderr: string}} outcome how pass ended
 * @param {{options: Options, profile: string, secrets?: string[] | undefined}} how the rest
 * @returns {Promise<ConfigError>} the error to throw
 */
async function failure(action, entry, {code, signal, stderr}, {options, profile, secrets}) {
  if (/You must run:|before you may use the password store/.test(stderr) || (/is not in the password store/.test(stderr) && !(await initialised(entry, options)))) {
    return new ConfigError(`the password store ${storeDir(options)} is not initialised`, 'set it up with: pass init GPG-KEY-ID (or point the option store_dir, or PASSWORD_STORE_DIR, at yours)')
  }

  if (/is not in the password store/.test(stderr)) {
    const also = options.entry ? ` --source-option entry=${entry}` : ''
    return new ConfigError(
      `the pass entry ${entry} is not in the password store${action === 'rm' ? ': there is nothing to remove' : ''}`,
      action === 'rm' ? 'see what there is with: pass ls' : `add it with: pass insert -m ${entry}, or mfa-creds keys add -p ${profile} --source pass${also}`,
    )
  }

  if (/sneaky path/.test(stderr)) return new ConfigError(`the pass entry ${entry} is not a path in the password store`, 'fix the option entry')
  if (action === 'show' && /decryption failed|No secret key|agent|pinentry|passphrase|Inappropriate ioctl/i.test(stderr)) {
    const why = /No secret key/i.test(stderr) ? 'no secret key for it' : (/agent/i.test(stderr) ? 'no gpg-agent to unlock the key' : said(stderr))
    return new ConfigError(
      `gpg cannot decrypt the pass entry ${entry}: ${why}`,
      `check that gpg --list-secret-keys holds the key the store is encrypted for (its .gpg-id), and that gpg-agent can ask for its passphrase; try: pass show ${entry}`,
    )
  }

  if (action === 'insert' && /encryption failed|No public key|unusable public key|skipped/i.test(stderr)) {
    return new ConfigError(
      `gpg cannot encrypt the pass entry ${entry}: ${said(stderr, secrets)}`,
      'check that gpg --list-keys holds the key of the store\'s .gpg-id (or pass init the store again)',
    )
  }

  const how = signal ? `was ended by ${signal}` : `exited ${code}`
  const line = said(stderr, secrets)
  return new ConfigError(`pass ${action} ${entry} ${how}${line ? `: ${line}` : ''}`, `run pass ${action} ${entry} yourself to see what is wrong`)
}

/**
 * The keys of a credential_process JSON entry.
 * @param {string} text the entry's text
 * @param {string} entry the entry
 * @returns {{id?: unknown, secret?: unknown, token?: unknown}} what it says the keys are
 */
function fromJson(text, entry) {
  let parsed
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ConfigError(`the pass entry ${entry} starts with { but is not JSON (what it holds is not shown: it is a secret)`, `fix it with: pass edit ${entry}`)
  }

  const json = parsed && typeof parsed === 'object' ? parsed : {}
  return {id: json.AccessKeyId, secret: json.SecretAccessKey, token: json.SessionToken}
}

/**
 * The keys of an entry of `key = value` lines (or `key: value`, or `export KEY=value`), the first of each.
 * @param {string} text the entry's text
 */
function fromLines(text) {
  /** @type {Map<string, string>} */
  const fields = new Map()
  for (const raw of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_]+)\s*[:=]\s*(.*?)\s*$/.exec(raw)
    if (!match) continue
    const key = match[1].toLowerCase()
    const value = match[2].replace(/^(["'])(.*)\1$/, '$2')
    if (!fields.has(key)) fields.set(key, value)
  }

  return {
    created: fields.get('created'), id: fields.get(ID), secret: fields.get(SECRET), token: fields.get('aws_session_token'),
  }
}

/**
 * The long-term keys an entry holds: `aws_access_key_id = ...` and `aws_secret_access_key = ...`
 * lines, or credential_process JSON; else a ConfigError that says what is missing without
 * repeating any of the entry.
 * @param {string} text the entry's text, as pass show printed it
 * @param {string} entry the entry
 * @returns {LongTermKeys} the keys
 */
export function keysFromEntry(text, entry) {
  const {created, id, secret, token} = text.trimStart().startsWith('{') ? {created: undefined, ...fromJson(text, entry)} : fromLines(text)
  const missing = [[ID, id], [SECRET, secret]].filter(([, value]) => typeof value !== 'string' || value === '').map(([name]) => name)
  if (missing.length > 0) {
    throw new ConfigError(
      `the pass entry ${entry} holds no ${missing.join(' and no ')} (what it holds is not shown: it is a secret)`,
      `put the keys in it with: pass edit ${entry} (lines "${ID} = AKIA..." and "${SECRET} = ..."; see the plugin's README)`,
    )
  }

  if (typeof token === 'string' && token !== '') {
    throw new ConfigError(
      `the pass entry ${entry} holds session credentials (a session token), but GetSessionToken needs an IAM user's long-term keys`,
      'put the long-term access key of the IAM user in it',
    )
  }

  const keys = {accessKeyId: /** @type {string} */ (id), secretAccessKey: /** @type {string} */ (secret)}
  // When store wrote it, for keys list's age; only a time that reads as one.
  return typeof created === 'string' && fromRfc3339(created) ? {...keys, created} : keys
}

/**
 * What store writes: the key lines of the credentials file, and when.
 * @param {LongTermKeys} keys the keys
 * @param {Date} now when
 */
export function entryText(keys, now = new Date()) {
  return `${ID} = ${keys.accessKeyId}\n${SECRET} = ${keys.secretAccessKey}\ncreated = ${toRfc3339(now)}\n`
}

export default defineCredentialSource({
  description: 'the keys in an entry of pass, the standard Unix password manager (options: entry, default aws/PROFILE; store_dir)',
  async get(profile, options, context) {
    const entry = entryOf(profile, options)
    return keysFromEntry(await pass('show', [], entry, {options, profile, signal: context.signal}), entry)
  },
  name: 'pass',
  async remove(profile, options, context) {
    await pass('rm', ['--force'], entryOf(profile, options), {options, profile, signal: context.signal})
  },
  async store(profile, keys, options, context) {
    await pass('insert', ['--multiline', '--force'], entryOf(profile, options), {
      input: entryText(keys), options, profile, secrets: [keys.accessKeyId, keys.secretAccessKey], signal: context.signal,
    })
  },
  validateOptions(options) {
    const unknown = unknownOptions(options, ['entry', 'store_dir'])
    if (unknown) return unknown
    const {entry} = options
    if (entry !== undefined && (entry === '' || entry.startsWith('/') || entry.endsWith('/') || entry.split('/').includes('..'))) {
      return 'the option entry is a pass entry name, a path inside the store such as aws/alice'
    }

    return options.store_dir === '' ? 'the option store_dir is empty' : undefined
  },
})
