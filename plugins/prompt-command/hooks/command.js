// mfa-creds prompt provider "command": runs the configured command with sh -c and reads the code
// from what it prints (the first line, trimmed). For pass otp, Bitwarden's `bw get totp`,
// oathtool, or anything else that prints a one-time code.
//
// It speaks the hook contract of mfa-creds (README, "Plugins") in plain data, so it needs no
// runtime dependency on mfa-creds itself.
import {execFile} from 'node:child_process'

const NAME = 'command'
const OPTIONS = new Set(['command'])

function validate(options) {
  const unknown = Object.keys(options).filter(key => !OPTIONS.has(key))
  if (unknown.length > 0) return `unknown option ${unknown.join(', ')} (it takes command)`
  if (!options.command) return 'the option command is required, e.g. --prompt-option "command=pass otp aws/mfa"'
}

function run(command, request) {
  return new Promise(resolve => {
    execFile('/bin/sh', ['-c', command], {signal: request.signal, timeout: request.timeoutMs}, (error, stdout, stderr) => {
      if (!error) resolve({code: stdout.split('\n')[0].trim(), handled: true})
      else if (request.signal?.aborted) resolve({error: {kind: 'aborted', message: 'stopped'}, handled: true})
      else if (error.killed) resolve({error: {kind: 'timed-out', message: `the code command printed no code within ${Math.round(request.timeoutMs / 1000)} s`}, handled: true})
      else {
        // Only the first line of what it said, shortened: a command's errors should not hold secrets, but be sparing.
        const said = stderr.split('\n')[0].trim().slice(0, 200)
        resolve({error: {hint: 'run the command yourself to see what is wrong', kind: 'unavailable', message: `the code command exited ${error.code}${said ? `: ${said}` : ''}`}, handled: true})
      }
    })
  })
}

export default async function hook(payload) {
  if (payload.type === 'discover') {
    return [{description: 'runs a command and reads the code from its output (mfa_creds_prompt_command)', name: NAME, retriesRejectedCodes: false}]
  }

  if (payload.name !== NAME) return {handled: false}
  if (payload.type === 'validate') return {handled: true, problem: validate(payload.options)}
  return run(payload.options.command, payload.request)
}
