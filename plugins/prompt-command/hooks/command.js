// mfa-creds prompt provider "command": runs the configured command with sh -c and reads the code
// from what it prints (the first line, trimmed). For pass otp, Bitwarden's `bw get totp`,
// oathtool, or anything else that prints a one-time code.
//
// It speaks the hook contract of mfa-creds (README, "Plugins") in plain data, so it needs no
// runtime dependency on mfa-creds itself.
import {runInOwnGroup} from '../lib/own-group.js'

const NAME = 'command'
const OPTIONS = new Set(['command'])

function validate(options) {
  const unknown = Object.keys(options).filter(key => !OPTIONS.has(key))
  if (unknown.length > 0) return `unknown option ${unknown.join(', ')} (it takes command)`
  if (!options.command) return 'the option command is required, e.g. --prompt-option "command=pass otp aws/mfa"'
}

/** Only the first line of what it said, shortened: a command's errors should not hold secrets, but be sparing. */
function firstLine(text) {
  return text.split('\n')[0].trim().slice(0, 200)
}

// sh -c runs in a process group of its own: a timeout ends what the command started too.
async function run(command, request) {
  const outcome = await runInOwnGroup('/bin/sh', ['-c', command], {signal: request.signal, timeoutMs: request.timeoutMs})
  switch (outcome.type) {
    case 'aborted': {
      return {error: {kind: 'aborted', message: 'stopped'}, handled: true}
    }

    case 'timed-out': {
      return {error: {kind: 'timed-out', message: `the code command printed no code within ${Math.round(request.timeoutMs / 1000)} s`}, handled: true}
    }

    case 'spawn-failed': {
      return {error: {kind: 'unavailable', message: `cannot run /bin/sh: ${outcome.error.message}`}, handled: true}
    }

    default: {
      if (outcome.code === 0) return {code: outcome.stdout.split('\n')[0].trim(), handled: true}
      const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited ${outcome.code}`
      const said = firstLine(outcome.stderr)
      return {error: {hint: 'run the command yourself to see what is wrong', kind: 'unavailable', message: `the code command ${how}${said ? `: ${said}` : ''}`}, handled: true}
    }
  }
}

export default async function hook(payload) {
  if (payload.type === 'discover') {
    return [{description: 'runs a command and reads the code from its output (mfa_creds_prompt_command)', name: NAME, retriesRejectedCodes: false}]
  }

  if (payload.name !== NAME) return {handled: false}
  if (payload.type === 'validate') return {handled: true, problem: validate(payload.options)}
  return run(payload.options.command, payload.request)
}
