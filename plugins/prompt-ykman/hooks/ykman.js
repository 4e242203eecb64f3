// mfa-creds prompt provider "ykman": `ykman oath accounts code --single ACCOUNT` reads the code of
// a YubiKey OATH credential. Option: account (required). When the credential needs a touch, ykman
// says so on stderr and waits; this provider tells the user on the terminal's stderr.
// It speaks the mfa-creds hook contract in plain data (README, "Plugins").
import {runInOwnGroup} from '../lib/own-group.js'

const NAME = 'ykman'

function validate(options) {
  const unknown = Object.keys(options).filter(key => key !== 'account')
  if (unknown.length > 0) return `unknown option ${unknown.join(', ')} (it takes account)`
  if (!options.account) return 'the option account is required: the OATH account on the key (ykman oath accounts list), e.g. --prompt-option "account=AWS:alice"'
}

// ykman runs in a process group of its own: a timeout or an abort ends all of it.
async function ask(options, request) {
  const args = ['oath', 'accounts', 'code', '--single', options.account]
  // ykman asks for a touch on stderr and then waits: tell the person at the screen.
  let told = false
  const onStderr = chunk => {
    if (!told && /touch/i.test(chunk)) {
      told = true
      process.stderr.write(`Touch your YubiKey to give the MFA code for ${request.profile}.\n`)
    }
  }

  const outcome = await runInOwnGroup('ykman', args, {onStderr, signal: request.signal, timeoutMs: request.timeoutMs})
  if (outcome.type === 'aborted') return {error: {kind: 'aborted', message: 'stopped'}, handled: true}
  if (outcome.type === 'timed-out') return {error: {hint: 'touch the key when it blinks', kind: 'timed-out', message: `the YubiKey gave no code within ${Math.round(request.timeoutMs / 1000)} s`}, handled: true}
  if (outcome.type === 'spawn-failed') {
    if (outcome.error.code === 'ENOENT') return {error: {hint: 'install YubiKey Manager (Debian/Ubuntu: apt install yubikey-manager)', kind: 'unavailable', message: 'ykman is not installed'}, handled: true}
    return {error: {kind: 'unavailable', message: `cannot run ykman: ${outcome.error.message}`}, handled: true}
  }

  if (outcome.code === 0) return {code: outcome.stdout.trim().split(/\s+/).pop() ?? '', handled: true}
  const said = outcome.stderr.split('\n').map(l => l.trim()).find(l => l && !/touch/i.test(l))?.replace(/^error:\s*/i, '').slice(0, 200) ?? ''
  if (/no yubikey/i.test(said)) return {error: {hint: 'insert the key and try again', kind: 'unavailable', message: 'no YubiKey is connected'}, handled: true}
  const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited ${outcome.code}`
  return {error: {hint: 'see the accounts on the key: ykman oath accounts list', kind: 'failed', message: `ykman ${how}${said ? `: ${said}` : ''}`}, handled: true}
}

export default async function hook(payload) {
  if (payload.type === 'discover') {
    return [{description: 'the code of a YubiKey OATH credential, through ykman (option: account)', name: NAME, retriesRejectedCodes: false}]
  }

  if (payload.name !== NAME) return {handled: false}
  if (payload.type === 'validate') return {handled: true, problem: validate(payload.options)}
  return ask(payload.options, payload.request)
}
