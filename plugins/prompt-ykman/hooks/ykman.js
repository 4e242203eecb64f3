// mfa-creds prompt provider "ykman": `ykman oath accounts code --single ACCOUNT` reads the code of
// a YubiKey OATH credential. Option: account (required). When the credential needs a touch, ykman
// says so on stderr and waits; this provider tells the user on the terminal's stderr.
// It speaks the mfa-creds hook contract in plain data (README, "Plugins").
import {execFile} from 'node:child_process'

const NAME = 'ykman'

function validate(options) {
  const unknown = Object.keys(options).filter(key => key !== 'account')
  if (unknown.length > 0) return `unknown option ${unknown.join(', ')} (it takes account)`
  if (!options.account) return 'the option account is required: the OATH account on the key (ykman oath accounts list), e.g. --prompt-option "account=AWS:alice"'
}

function ask(options, request) {
  return new Promise(resolve => {
    const args = ['oath', 'accounts', 'code', '--single', options.account]
    const child = execFile('ykman', args, {signal: request.signal, timeout: request.timeoutMs}, (error, stdout, stderr) => {
      const said = stderr.split('\n').map(l => l.trim()).find(l => l && !/touch/i.test(l))?.replace(/^error:\s*/i, '').slice(0, 200) ?? ''
      if (!error) resolve({code: stdout.trim().split(/\s+/).pop() ?? '', handled: true})
      else if (request.signal?.aborted) resolve({error: {kind: 'aborted', message: 'stopped'}, handled: true})
      else if (error.code === 'ENOENT') resolve({error: {hint: 'install YubiKey Manager (Debian/Ubuntu: apt install yubikey-manager)', kind: 'unavailable', message: 'ykman is not installed'}, handled: true})
      else if (error.killed) resolve({error: {hint: 'touch the key when it blinks', kind: 'timed-out', message: `the YubiKey gave no code within ${Math.round(request.timeoutMs / 1000)} s`}, handled: true})
      else if (/no yubikey/i.test(said)) resolve({error: {hint: 'insert the key and try again', kind: 'unavailable', message: 'no YubiKey is connected'}, handled: true})
      else resolve({error: {hint: 'see the accounts on the key: ykman oath accounts list', kind: 'failed', message: `ykman exited ${error.code}${said ? `: ${said}` : ''}`}, handled: true})
    })
    // ykman asks for a touch on stderr and then waits: tell the person at the screen.
    let told = false
    child.stderr?.on('data', chunk => {
      if (!told && /touch/i.test(String(chunk))) {
        told = true
        process.stderr.write(`Touch your YubiKey to give the MFA code for ${request.profile}.\n`)
      }
    })
  })
}

export default async function hook(payload) {
  if (payload.type === 'discover') {
    return [{description: 'the code of a YubiKey OATH credential, through ykman (option: account)', name: NAME, retriesRejectedCodes: false}]
  }

  if (payload.name !== NAME) return {handled: false}
  if (payload.type === 'validate') return {handled: true, problem: validate(payload.options)}
  return ask(payload.options, payload.request)
}
