/**
 * stdin: the code is the next line of standard input, for scripts and CI
 * (`oathtool --totp -b "$SEED" | mfa-creds refresh-once --prompt stdin`), so that it is never on a
 * command line, where `ps` would show it while it is valid. Nothing is echoed. Each question
 * takes the next line (a watch fed by a pipe that stays open gets one per refresh); a line longer
 * than any code, a terminal (use tty there: it turns echo off) or the end of the input end it.
 */
import type {PromptProviderSpec} from '@mfa-creds/sdk'

import {unknownOptions} from '@mfa-creds/sdk'

import {
  AbortedError, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'
import {PromptRequest} from '../core/refresh/ports.js'

/** Far more than a code with its line ending and spaces: anything longer is not one. */
const MAX_LINE = 256

const HINT = 'pipe the code in, one per line: e.g. oathtool --totp -b "$SEED" | mfa-creds refresh-once --prompt stdin'

/** The lines of standard input read so far but not yet asked for, and whether it has ended. */
class LineQueue {
  private buffer = ''
  private ended = false
  private readonly lines: string[] = []
  private started = false
  private readonly waiting = new Set<() => void>()

  /** The next line, or undefined once the input has ended; refused past `timeoutMs` or on abort. */
  async next(request: PromptRequest): Promise<string | undefined> {
    if (process.stdin.isTTY) {
      throw new PromptUnavailableError('--prompt stdin reads a code piped in, but standard input is a terminal', 'type it with --prompt tty (echo off), or pipe it in')
    }

    this.start()
    if (this.lines.length === 0 && !this.ended) {
      process.stdin.resume()
      try {
        await this.wait(request)
      } finally {
        process.stdin.pause()
      }
    }

    if (this.buffer.length > MAX_LINE) throw new PromptCancelledError(`standard input holds a line of more than ${MAX_LINE} characters, which is no MFA code`, HINT)
    return this.lines.shift()
  }

  private start(): void {
    if (this.started) return
    this.started = true
    process.stdin.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8')
      let end: number
      while ((end = this.buffer.indexOf('\n')) !== -1) {
        this.lines.push(this.buffer.slice(0, end))
        this.buffer = this.buffer.slice(end + 1)
      }

      if (this.buffer.length > MAX_LINE) this.ended = true
      this.wake()
    }).on('end', () => {
      // A last line without its line ending is a line too.
      if (this.buffer !== '' && this.buffer.length <= MAX_LINE) this.lines.push(this.buffer)
      if (this.buffer.length <= MAX_LINE) this.buffer = ''
      this.ended = true
      this.wake()
    }).on('error', () => {
      this.ended = true
      this.wake()
    })
  }

  private wait(request: PromptRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer)
        request.signal?.removeEventListener('abort', onAbort)
        this.waiting.delete(onLine)
        if (error) reject(error)
        else resolve()
      }

      const onLine = () => {
        if (this.lines.length > 0 || this.ended) done()
      }

      const onAbort = () => done(new AbortedError())
      const timer = setTimeout(() => done(new PromptTimedOutError(`no MFA code came on standard input within ${Math.round(request.timeoutMs / 1000)} s`, HINT)), request.timeoutMs)
      this.waiting.add(onLine)
      request.signal?.addEventListener('abort', onAbort, {once: true})
    })
  }

  private wake(): void {
    for (const resolve of this.waiting) resolve()
  }
}

let queue: LineQueue | undefined

/** The built-in `stdin`, as plugins write theirs (announced by hooks/prompt-stdin.ts). */
export const stdinPrompt: PromptProviderSpec = {
  async ask(request) {
    queue ??= new LineQueue()
    const line = await queue.next(request)
    if (line === undefined) throw new PromptCancelledError('standard input ended without an MFA code', HINT)
    return line
  },
  description: 'the next line of standard input (for scripts and CI; never a terminal)',
  name: 'stdin',
  validateOptions: options => unknownOptions(options, []),
}
