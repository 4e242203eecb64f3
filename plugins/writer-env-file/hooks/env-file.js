// mfa-creds credential writer "env-file": the session credentials as `export AWS_...=` lines in a
// file of their own (mode 0600, replaced atomically), for direnv's `dotenv`/`source_env` and for
// shells: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION.
// Option: path (required; ~ is the home directory). It speaks the mfa-creds hook contract in plain
// data (README, "Plugins").
import {createHash, randomBytes} from 'node:crypto'
import {constants, promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const NAME = 'env-file'
const KEYS = [['AWS_ACCESS_KEY_ID', 'accessKeyId'], ['AWS_SECRET_ACCESS_KEY', 'secretAccessKey'], ['AWS_SESSION_TOKEN', 'sessionToken'], ['AWS_CREDENTIAL_EXPIRATION', 'expiration']]

function validate(options) {
  const unknown = Object.keys(options).filter(key => key !== 'path')
  if (unknown.length > 0) return `unknown option ${unknown.join(', ')} (it takes path)`
  if (!options.path) return 'the option path is required: the file to write, e.g. --writer-option path=~/.aws/default-mfa.env'
}

function filePath(options) {
  const p = options.path
  return path.resolve(p === '~' || p.startsWith('~/') ? path.join(process.env.HOME || os.homedir(), p.slice(1)) : p)
}

/** A value for a shell: single-quoted, with any ' closed, escaped and reopened. */
const quote = value => `'${String(value).replaceAll("'", String.raw`'\''`)}'`

async function read(file) {
  let text
  try {
    text = await fs.readFile(file, 'utf8')
  } catch (error) {
    if (error.code === 'ENOENT') return {}
    throw error
  }

  const m = /^export AWS_CREDENTIAL_EXPIRATION='([^']*)'$/m.exec(text)
  return {expiration: m?.[1], fingerprint: createHash('sha256').update(text).digest('hex')}
}

async function write(file, request) {
  const current = await read(file)
  const theirs = current.expiration ? Date.parse(current.expiration) : Number.NaN
  if (current.fingerprint !== request.baseline && theirs > Date.parse(request.credentials.expiration)) {
    return {action: 'kept-newer', expiration: current.expiration}
  }

  const lines = [`# Written by mfa-creds for [${request.targetProfile}]; replaced on every refresh.`]
  for (const [name, key] of KEYS) lines.push(`export ${name}=${quote(request.credentials[key])}`)
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
  return {action: 'written', expiration: request.credentials.expiration}
}

function failure(error, file) {
  return {error: {hint: `check ${path.dirname(file)} exists and is writable`, kind: 'config', message: `cannot use ${file}: ${error.code ?? error.message}`}, handled: true}
}

export default async function hook(payload) {
  if (payload.type === 'discover') return [{description: 'export AWS_... lines in a 0600 file, for direnv and shells (option: path)', name: NAME}]
  if (payload.name !== NAME) return {handled: false}
  if (payload.type === 'validate') return {handled: true, problem: validate(payload.options)}
  const file = filePath(payload.options)
  try {
    if (payload.type === 'check') {
      await fs.access(path.dirname(file), constants.W_OK)
      return {handled: true}
    }

    if (payload.type === 'read') return {handled: true, state: await read(file)}
    if (payload.type === 'write') return {handled: true, result: await write(file, payload.request)}
    // A request type this plugin does not know (a newer host): nothing to say about it.
    return {handled: true}
  } catch (error) {
    return failure(error, file)
  }
}
