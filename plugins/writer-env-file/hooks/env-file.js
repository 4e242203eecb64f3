// @ts-check
// mfa-creds credential writer "env-file": the session credentials as `export AWS_...=` lines in a
// file of their own (mode 0600, replaced atomically), for direnv's `dotenv`/`source_env` and for
// shells: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION.
// Option: path (required; ~ is the home directory). Built on @mfa-creds/sdk, its only dependency
// (README, "Plugins").
import {
  ConfigError, defineCredentialWriter, fromRfc3339, toRfc3339, unknownOptions,
} from '@mfa-creds/sdk'
import {createHash, randomBytes} from 'node:crypto'
import {constants, promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** @typedef {import('@mfa-creds/sdk').ExtensionOptions} Options */

/**
 * The file the option path names (~ is the home directory).
 * @param {Options} options the writer's options
 */
function filePath(options) {
  const p = options.path
  return path.resolve(p === '~' || p.startsWith('~/') ? path.join(process.env.HOME || os.homedir(), p.slice(1)) : p)
}

/**
 * A value for a shell: single-quoted, with any ' closed, escaped and reopened.
 * @param {string} value what to quote
 */
const quote = value => `'${String(value).replaceAll("'", String.raw`'\''`)}'`

/**
 * When the file's credentials expire, and its hash as the fingerprint.
 * @param {string} file the env file
 * @returns {Promise<import('@mfa-creds/sdk').TargetState>} nothing when there is no file yet
 */
async function read(file) {
  let text
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return {}
    throw error
  }

  const m = /^export AWS_CREDENTIAL_EXPIRATION='([^']*)'$/m.exec(text)
  return {expiration: fromRfc3339(m?.[1]), fingerprint: createHash('sha256').update(text).digest('hex')}
}

/**
 * Writes the credentials, unless someone else has just put in some that last longer.
 * @param {string} file the env file
 * @param {import('@mfa-creds/sdk').WriteRequest} request what to write
 * @returns {Promise<import('@mfa-creds/sdk').WriteResult>} what was done
 */
async function write(file, request) {
  const {credentials: c} = request
  const current = await read(file)
  if (current.fingerprint !== request.baseline && current.expiration && current.expiration > c.expiration) {
    return {action: 'kept-newer', expiration: current.expiration}
  }

  const values = [['AWS_ACCESS_KEY_ID', c.accessKeyId], ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey], ['AWS_SESSION_TOKEN', c.sessionToken], ['AWS_CREDENTIAL_EXPIRATION', toRfc3339(c.expiration)]]
  const lines = [`# Written by mfa-creds for [${request.targetProfile}]; replaced on every refresh.`, ...values.map(([name, value]) => `export ${name}=${quote(value)}`)]
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.mfa-creds.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600)
  try {
    await handle.writeFile(`${lines.join('\n')}\n`)
    await handle.sync()
    await handle.close()
    await fs.rename(temp, file)
  } catch (error) {
    await handle.close().catch(() => {})
    await fs.rm(temp, {force: true})
    throw error
  }

  const dir = await fs.open(path.dirname(file), constants.O_RDONLY)
  await dir.sync().catch(() => {})
  await dir.close()
  return {action: 'written', expiration: c.expiration}
}

/**
 * Runs an action on the file; its errors as the sdk's ConfigError (exit 6).
 * @template T
 * @param {Options} options the writer's options
 * @param {(file: string) => Promise<T>} run the action
 * @returns {Promise<T>} what the action gives
 */
async function onFile(options, run) {
  const file = filePath(options)
  try {
    return await run(file)
  } catch (error) {
    const {code, message} = /** @type {NodeJS.ErrnoException} */ (error)
    throw new ConfigError(`cannot use ${file}: ${code ?? message}`, `check ${path.dirname(file)} exists and is writable`)
  }
}

export default defineCredentialWriter({
  check: (_target, options) => onFile(options, file => fs.access(path.dirname(file), constants.W_OK)),
  description: 'export AWS_... lines in a 0600 file, for direnv and shells (option: path)',
  name: 'env-file',
  read: (_target, options) => onFile(options, read),
  validateOptions: options => unknownOptions(options, ['path'])
    ?? (options.path ? undefined : 'the option path is required: the file to write, e.g. --writer-option path=~/.aws/default-mfa.env'),
  write: (request, options) => onFile(options, file => write(file, request)),
})
