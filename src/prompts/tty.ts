/**
 * tty: asks on the controlling terminal (/dev/tty), whatever stdin and stdout are, with echo off.
 * Ctrl-C or Ctrl-D on an empty line cancel; Backspace and Ctrl-U edit.
 */
import type {PromptProviderSpec} from '@mfa-creds/sdk'

import {unknownOptions} from '@mfa-creds/sdk'
import {closeSync, openSync, writeSync} from 'node:fs'
import tty from 'node:tty'

import {
  AbortedError, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
} from '../core/errors.js'
import {PromptProvider, PromptRequest} from '../core/refresh/ports.js'

const MAX_INPUT = 64

/** True when this process has a controlling terminal (/dev/tty can be opened), as OpenSSH checks. */
export function hasTerminal(): boolean {
  try {
    closeSync(openSync('/dev/tty', 'r+'))
    return true
  } catch {
    return false
  }
}

export interface TerminalLine {
  /** Show what is typed (a menu choice) or not (a code). */
  echo: boolean
  /** Ctrl-C, or Ctrl-D on an empty line. */
  onCancel: () => Error
  onTimeout: () => Error
  /** Said on the terminal before reading. */
  question: string
  signal?: AbortSignal
  timeoutMs: number
  /** Where there is no terminal. */
  unavailable: () => Error
}

/** Reads one line on the controlling terminal in raw mode: Backspace and Ctrl-U edit. */
export function readTerminalLine(options: TerminalLine): Promise<string> {
  let inFd: number
  let outFd: number
  try {
    inFd = openSync('/dev/tty', 'r')
    outFd = openSync('/dev/tty', 'w')
  } catch {
    return Promise.reject(options.unavailable())
  }

  const input = new tty.ReadStream(inFd)
  const say = (text: string) => {
    try {
      writeSync(outFd, text)
    } catch {
      // The terminal went away; the read below will end too.
    }
  }

  const show = (text: string) => options.echo && say(text)
  return new Promise<string>((resolve, reject) => {
    let typed = ''
    const onAbort = () => finish(new AbortedError())
    const finish = (error?: Error) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      input.off('data', onData)
      input.setRawMode(false)
      input.destroy()
      say('\n')
      closeSync(outFd)
      if (error) reject(error)
      else resolve(typed)
    }

    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003' || (ch === '\u0004' && typed === '')) return finish(options.onCancel())
        if (ch === '\u007F' || ch === '\b') {
          if (typed) show('\b \b')
          typed = typed.slice(0, -1)
        } else if (ch === '\u0015') {
          show('\b \b'.repeat(typed.length))
          typed = ''
        } else if (ch >= ' ' && typed.length < MAX_INPUT) {
          typed += ch
          show(ch)
        }
      }
    }

    const timer = setTimeout(() => finish(options.onTimeout()), options.timeoutMs)
    say(options.question)
    input.setRawMode(true)
    input.on('data', onData)
    options.signal?.addEventListener('abort', onAbort, {once: true})
  })
}

export class TtyProvider implements PromptProvider {
  readonly name = 'tty'
  readonly retriesRejectedCodes = true

  ask(request: PromptRequest): Promise<string> {
    return readTerminalLine({
      echo: false,
      onCancel: () => new PromptCancelledError('the MFA prompt was cancelled', 'run the command again to be asked again'),
      onTimeout: () => new PromptTimedOutError(`no MFA code was entered within ${Math.round(request.timeoutMs / 1000)} s`, 'run the command again when you are at the terminal'),
      question: `${request.reason ? `${request.reason}\n` : ''}MFA code for ${request.profile} (${request.serial}): `,
      signal: request.signal,
      timeoutMs: request.timeoutMs,
      unavailable: () => new PromptUnavailableError('there is no terminal to ask for the MFA code on', 'run it in a terminal, or use --prompt ssh-askpass with DISPLAY set'),
    })
  }
}

/** The built-in `tty`, as plugins write theirs (announced by hooks/prompt-tty.ts). */
export const ttyPrompt: PromptProviderSpec = {
  ask: request => new TtyProvider().ask(request),
  description: 'the controlling terminal (/dev/tty), echo off',
  name: 'tty',
  retriesRejectedCodes: true,
  validateOptions: options => unknownOptions(options, []),
}
