// @ts-check
// mfa-creds prompt provider "command": runs the configured command with sh -c and reads the code
// from what it prints (the first line, trimmed). For pass otp, Bitwarden's `bw get totp`,
// oathtool, or anything else that prints a one-time code. Built on @mfa-creds/sdk, its only
// dependency (README, "Plugins").
import {
  AbortedError, definePromptProvider, PromptTimedOutError, PromptUnavailableError, runInOwnGroup, unknownOptions,
} from '@mfa-creds/sdk'

/**
 * Only the first line of what it said, shortened: a command's errors should not hold secrets, but be sparing.
 * @param {string} text what it said
 */
function firstLine(text) {
  return text.split('\n')[0].trim().slice(0, 200)
}

export default definePromptProvider({
  // sh -c runs in a process group of its own: a timeout ends what the command started too.
  async ask(request, options) {
    const outcome = await runInOwnGroup('/bin/sh', ['-c', options.command], {signal: request.signal, timeoutMs: request.timeoutMs})
    switch (outcome.type) {
      case 'aborted': {
        throw new AbortedError()
      }

      case 'timed-out': {
        throw new PromptTimedOutError(`the code command printed no code within ${Math.round(request.timeoutMs / 1000)} s`)
      }

      case 'spawn-failed': {
        throw new PromptUnavailableError(`cannot run /bin/sh: ${outcome.error.message}`)
      }

      default: {
        if (outcome.code === 0) return outcome.stdout.split('\n')[0].trim()
        const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited ${outcome.code}`
        const said = firstLine(outcome.stderr)
        throw new PromptUnavailableError(`the code command ${how}${said ? `: ${said}` : ''}`, 'run the command yourself to see what is wrong')
      }
    }
  },
  description: 'runs a command and reads the code from its output (mfa_creds_prompt_command)',
  name: 'command',
  validateOptions: options => unknownOptions(options, ['command'])
    ?? (options.command ? undefined : 'the option command is required, e.g. --prompt-option "command=pass otp aws/mfa"'),
})
