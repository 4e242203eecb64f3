/**
 * ssh-askpass: runs `$SSH_ASKPASS`, else `ssh-askpass` from PATH, with the prompt as its one
 * argument and stdin closed; reads the code from stdout. A non-zero exit means cancelled.
 */
import {spawn} from 'node:child_process'

import {
  AbortedError, errnoCode, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'
import {PromptProvider, PromptRequest, promptText} from './provider.js'

const MAX_OUTPUT = 4096

export class SshAskpassProvider implements PromptProvider {
  readonly name = 'ssh-askpass'
  readonly retriesRejectedCodes = false

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  ask(request: PromptRequest): Promise<string> {
    const program = this.env.SSH_ASKPASS || 'ssh-askpass'
    return new Promise((resolve, reject) => {
      const child = spawn(program, [promptText(request)], {env: this.env, stdio: ['ignore', 'pipe', 'pipe']})
      let output = ''
      let ended: 'aborted' | 'timed-out' | undefined
      const stop = (why: 'aborted' | 'timed-out') => {
        ended = why
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 2000).unref()
      }

      const timer = setTimeout(() => stop('timed-out'), request.timeoutMs)
      const onAbort = () => stop('aborted')
      request.signal?.addEventListener('abort', onAbort, {once: true})
      const done = () => {
        clearTimeout(timer)
        request.signal?.removeEventListener('abort', onAbort)
      }

      child.stdout.setEncoding('utf8')
      child.stdout.on('data', (chunk: string) => {
        if (output.length < MAX_OUTPUT) output += chunk
      })
      child.stderr.resume()
      child.on('error', error => {
        done()
        if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'EACCES') {
          reject(new PromptUnavailableError(
            `cannot run ${program} to ask for the MFA code (${errnoCode(error)})`,
            'install ssh-askpass (Debian/Ubuntu: apt install ssh-askpass), set SSH_ASKPASS to such a program, or use --prompt tty',
          ))
        } else {
          reject(new PromptUnavailableError(`cannot run ${program}: ${error.message}`))
        }
      })
      child.on('close', (code, signal) => {
        done()
        if (ended === 'aborted') {
          reject(new AbortedError())
        } else if (ended === 'timed-out') {
          reject(new PromptTimedOutError(`no MFA code was entered within ${Math.round(request.timeoutMs / 1000)} s`, 'run the command again when you are at the screen'))
        } else if (code === 0) {
          resolve(output)
        } else {
          reject(new PromptCancelledError(`the MFA prompt was cancelled (${program} ${signal ? `ended by ${signal}` : `exited ${code}`})`, 'run the command again to be asked again'))
        }
      })
    })
  }
}
