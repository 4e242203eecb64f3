// mfa-creds prompt provider "1password": `op item get ITEM --otp [--vault V] [--account A]`,
// the 1Password CLI (v2) reading the current one-time code of an item. Options: item (required),
// vault, account. It speaks the mfa-creds hook contract in plain data (README, "Plugins").
import {runInOwnGroup} from '../lib/own-group.js'

const NAME = '1password'
const OPTIONS = new Set(['account', 'item', 'vault'])

function validate(options) {
  const unknown = Object.keys(options).filter(key => !OPTIONS.has(key))
  if (unknown.length > 0) return `unknown option ${unknown.join(', ')} (it takes item, vault, account)`
  if (!options.item) return 'the option item is required: the 1Password item that holds the one-time password, e.g. --prompt-option item=AWS'
}

export function opArguments(options) {
  const args = ['item', 'get', options.item, '--otp']
  if (options.vault) args.push('--vault', options.vault)
  if (options.account) args.push('--account', options.account)
  return args
}

/** What op said, without its "[ERROR] date time" prefix, first line only. */
function said(stderr) {
  return stderr.split('\n')[0].replace(/^\[ERROR\]\s+\S+\s+\S+\s+/, '').trim().slice(0, 200)
}

// op runs in a process group of its own (stdin from /dev/null): a timeout or an abort ends all of it.
async function ask(options, request) {
  const outcome = await runInOwnGroup('op', opArguments(options), {signal: request.signal, timeoutMs: request.timeoutMs})
  if (outcome.type === 'aborted') return {error: {kind: 'aborted', message: 'stopped'}, handled: true}
  if (outcome.type === 'timed-out') return {error: {hint: 'unlock 1Password and try again', kind: 'timed-out', message: `op gave no code within ${Math.round(request.timeoutMs / 1000)} s`}, handled: true}
  if (outcome.type === 'spawn-failed') {
    if (outcome.error.code === 'ENOENT') return {error: {hint: 'install it: https://developer.1password.com/docs/cli/get-started/', kind: 'unavailable', message: 'the 1Password CLI (op) is not installed'}, handled: true}
    return {error: {kind: 'unavailable', message: `cannot run op: ${outcome.error.message}`}, handled: true}
  }

  if (outcome.code === 0) return {code: outcome.stdout.split('\n')[0].trim(), handled: true}
  if (/not currently signed in|account is not signed in|session expired/i.test(outcome.stderr)) {
    return {error: {hint: 'sign in first: eval $(op signin), or turn on the desktop app integration', kind: 'unavailable', message: 'the 1Password CLI is not signed in'}, handled: true}
  }

  const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited ${outcome.code}`
  return {error: {hint: `check the item with: op ${opArguments(options).join(' ')}`, kind: 'failed', message: `op ${how}: ${said(outcome.stderr)}`}, handled: true}
}

export default async function hook(payload) {
  if (payload.type === 'discover') {
    return [{description: 'the one-time code of a 1Password item, through the op CLI (options: item, vault, account)', name: NAME, retriesRejectedCodes: false}]
  }

  if (payload.name !== NAME) return {handled: false}
  if (payload.type === 'validate') return {handled: true, problem: validate(payload.options)}
  return ask(payload.options, payload.request)
}
