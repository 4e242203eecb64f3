// @ts-check
// mfa-creds prompt provider "ykman": `ykman oath accounts code --single ACCOUNT` reads the code of
// a YubiKey OATH credential. Option: account (required). When the credential needs a touch, ykman
// says so on stderr and waits; this provider tells the user on the terminal's stderr.
// Built on @mfa-creds/sdk, its only dependency (README, "Plugins").
import {
  AbortedError, definePromptProvider, ExtensionError, PromptTimedOutError, PromptUnavailableError, runInOwnGroup, unknownOptions,
} from '@mfa-creds/sdk'

export default definePromptProvider({
  // ykman runs in a process group of its own: a timeout or an abort ends all of it.
  async ask(request, options) {
    const args = ['oath', 'accounts', 'code', '--single', options.account]
    // ykman asks for a touch on stderr and then waits: tell the person at the screen.
    let told = false
    /** @param {string} chunk what ykman said on stderr */
    const onStderr = chunk => {
      if (!told && /touch/i.test(chunk)) {
        told = true
        process.stderr.write(`Touch your YubiKey to give the MFA code for ${request.profile}.\n`)
      }
    }

    const outcome = await runInOwnGroup('ykman', args, {onStderr, signal: request.signal, timeoutMs: request.timeoutMs})
    if (outcome.type === 'aborted') throw new AbortedError()
    if (outcome.type === 'timed-out') throw new PromptTimedOutError(`the YubiKey gave no code within ${Math.round(request.timeoutMs / 1000)} s`, 'touch the key when it blinks')
    if (outcome.type === 'spawn-failed') {
      if (outcome.error.code === 'ENOENT') throw new PromptUnavailableError('ykman is not installed', 'install YubiKey Manager (Debian/Ubuntu: apt install yubikey-manager)')
      throw new PromptUnavailableError(`cannot run ykman: ${outcome.error.message}`)
    }

    if (outcome.code === 0) return outcome.stdout.trim().split(/\s+/).pop() ?? ''
    const said = outcome.stderr.split('\n').map(l => l.trim()).find(l => l && !/touch/i.test(l))?.replace(/^error:\s*/i, '').slice(0, 200) ?? ''
    if (/no yubikey/i.test(said)) throw new PromptUnavailableError('no YubiKey is connected', 'insert the key and try again')
    const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited ${outcome.code}`
    throw new ExtensionError(`ykman ${how}${said ? `: ${said}` : ''}`, 'see the accounts on the key: ykman oath accounts list')
  },
  description: 'the code of a YubiKey OATH credential, through ykman (option: account)',
  name: 'ykman',
  validateOptions: options => unknownOptions(options, ['account'])
    ?? (options.account ? undefined : 'the option account is required: the OATH account on the key (ykman oath accounts list), e.g. --prompt-option "account=AWS:alice"'),
})
