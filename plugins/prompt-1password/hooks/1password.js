// @ts-check
// mfa-creds prompt provider "1password": `op item get ITEM --otp [--vault V] [--account A]`,
// the 1Password CLI (v2) reading the current one-time code of an item. Options: item (required),
// vault, account. Built on @mfa-creds/sdk, its only dependency (README, "Plugins").
import {
  AbortedError, definePromptProvider, ExtensionError, PromptTimedOutError, PromptUnavailableError, runInOwnGroup, unknownOptions,
} from '@mfa-creds/sdk'

/**
 * The op command line for the options.
 * @param {import('@mfa-creds/sdk').ExtensionOptions} options item, vault, account
 */
export function opArguments(options) {
  const args = ['item', 'get', options.item, '--otp']
  if (options.vault) args.push('--vault', options.vault)
  if (options.account) args.push('--account', options.account)
  return args
}

/**
 * What op said, without its "[ERROR] date time" prefix, first line only.
 * @param {string} stderr what op said
 */
function said(stderr) {
  return stderr.split('\n')[0].replace(/^\[ERROR\]\s+\S+\s+\S+\s+/, '').trim().slice(0, 200)
}

export default definePromptProvider({
  // op runs in a process group of its own (stdin from /dev/null): a timeout or an abort ends all of it.
  async ask(request, options) {
    const outcome = await runInOwnGroup('op', opArguments(options), {signal: request.signal, timeoutMs: request.timeoutMs})
    if (outcome.type === 'aborted') throw new AbortedError()
    if (outcome.type === 'timed-out') throw new PromptTimedOutError(`op gave no code within ${Math.round(request.timeoutMs / 1000)} s`, 'unlock 1Password and try again')
    if (outcome.type === 'spawn-failed') {
      if (outcome.error.code === 'ENOENT') throw new PromptUnavailableError('the 1Password CLI (op) is not installed', 'install it: https://developer.1password.com/docs/cli/get-started/')
      throw new PromptUnavailableError(`cannot run op: ${outcome.error.message}`)
    }

    if (outcome.code === 0) return outcome.stdout.split('\n')[0].trim()
    if (/not currently signed in|account is not signed in|session expired/i.test(outcome.stderr)) {
      throw new PromptUnavailableError('the 1Password CLI is not signed in', 'sign in first: eval $(op signin), or turn on the desktop app integration')
    }

    const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited ${outcome.code}`
    throw new ExtensionError(`op ${how}: ${said(outcome.stderr)}`, `check the item with: op ${opArguments(options).join(' ')}`)
  },
  description: 'the one-time code of a 1Password item, through the op CLI (options: item, vault, account)',
  name: '1password',
  validateOptions: options => unknownOptions(options, ['item', 'vault', 'account'])
    ?? (options.item ? undefined : 'the option item is required: the 1Password item that holds the one-time password, e.g. --prompt-option item=AWS'),
})
