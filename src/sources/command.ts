import {runInOwnGroup, unknownOptions} from '@mfa-creds/sdk'

/**
 * The built-in credential source `command`: runs a program that prints the long-term keys as
 * `credential_process` JSON (`{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...}`), so a
 * password manager plugs in with one line of config:
 *
 *     mfa_creds_source = command
 *     mfa_creds_source_command = op read op://Private/aws-alice/credential_process
 *
 * The command is split into words as a POSIX shell would (quotes, backslashes), but run without
 * one, in a process group of its own (a timeout or Ctrl-C ends it and what it started), with
 * stdin from /dev/null. What it prints is never shown: it holds the secret. Only the first line
 * of its stderr is, shortened, when it fails.
 */
import type {HostSourceSpec} from '../extensions/source.js'

import {shlexSplit} from '../core/aws/profiles.js'
import {AbortedError, ConfigError} from '../core/errors.js'

/** How long the command may take: a password manager may wait for a fingerprint or a PIN. */
const COMMAND_TIMEOUT_MS = 120_000

const FIX = 'fix mfa_creds_source_command (or --source-option command=...): a program that prints {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...}'

function words(command: string | undefined): string[] | undefined {
  const split = command === undefined ? undefined : shlexSplit(command)
  return split && split.length > 0 ? split : undefined
}

/** The keys in what the command printed, or a ConfigError that says what is wrong without repeating any of it. */
export function keysFromJson(stdout: string, command: string): {accessKeyId: string; secretAccessKey: string} {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch {
    throw new ConfigError(`the credential command ${command} did not print JSON (what it printed is not shown: it may hold a secret)`, FIX)
  }

  const answer = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>
  if (answer.Version !== 1) throw new ConfigError(`the credential command ${command} printed JSON without "Version": 1`, FIX)
  const {AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken} = answer
  if (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '') {
    throw new ConfigError(`the credential command ${command} printed no AccessKeyId and SecretAccessKey`, FIX)
  }

  if (typeof sessionToken === 'string' && sessionToken !== '') {
    throw new ConfigError(
      `the credential command ${command} printed session credentials (a SessionToken), but GetSessionToken needs an IAM user's long-term keys`,
      'point it at the long-term access key of the IAM user',
    )
  }

  return {accessKeyId, secretAccessKey}
}

export const commandSource: HostSourceSpec = {
  description: 'runs a command that prints the keys as credential_process JSON (mfa_creds_source_command)',
  async get(_profile, options, context) {
    const argv = words(options.command)!
    const [program, ...args] = argv
    const outcome = await runInOwnGroup(program, args, {signal: context.signal, timeoutMs: COMMAND_TIMEOUT_MS})
    switch (outcome.type) {
      case 'aborted': {
        throw new AbortedError()
      }

      case 'spawn-failed': {
        throw new ConfigError(`cannot run the credential command ${program}: ${outcome.error.code === 'ENOENT' ? 'no such program' : outcome.error.message}`, FIX)
      }

      case 'timed-out': {
        throw new ConfigError(`the credential command ${program} printed no keys within ${COMMAND_TIMEOUT_MS / 1000} s`, 'run it yourself to see where it waits')
      }

      default: {
        if (outcome.code !== 0) {
          const how = outcome.signal ? `was ended by ${outcome.signal}` : `exited ${outcome.code}`
          const said = outcome.stderr.split('\n')[0].trim().slice(0, 200)
          throw new ConfigError(`the credential command ${program} ${how}${said ? `: ${said}` : ''}`, 'run it yourself to see what is wrong')
        }

        return keysFromJson(outcome.stdout, program)
      }
    }
  },
  name: 'command',
  validateOptions(options) {
    const unknown = unknownOptions(options, ['command'])
    if (unknown) return unknown
    if (!options.command) return 'the option command is required, e.g. --source-option "command=op read op://Private/aws/credential_process"'
    return words(options.command) ? undefined : 'the option command is not a command line (an unclosed quote?)'
  },
}
