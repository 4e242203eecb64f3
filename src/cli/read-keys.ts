/**
 * Reading an access key typed in for `keys add`: on the terminal (the secret with echo off), or,
 * when stdin is not a terminal, as two lines of stdin (the id, then the secret). Never from argv,
 * where every process could read it.
 */
import type {LongTermKeys} from '../core/refresh/ports.js'

import {PromptCancelledError, PromptTimedOutError, UsageError} from '../core/errors.js'
import {readTerminalLine} from '../prompts/tty.js'

const TYPING_TIMEOUT_MS = 300_000
const MAX_STDIN = 64 * 1024

function ask(question: string, echo: boolean, signal?: AbortSignal): Promise<string> {
  return readTerminalLine({
    echo,
    onCancel: () => new PromptCancelledError('nothing was entered; nothing was changed'),
    onTimeout: () => new PromptTimedOutError('nothing was entered in time; nothing was changed'),
    question,
    signal,
    timeoutMs: TYPING_TIMEOUT_MS,
    unavailable: () => new UsageError('there is no terminal to type the key on', 'pipe the access key id and the secret as two lines into stdin'),
  })
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stdin) {
    text += String(chunk)
    if (text.length > MAX_STDIN) throw new UsageError('stdin holds more than two lines of a key', 'pipe in the access key id and the secret, one line each')
  }

  return text
}

/** Asks for (or reads) the access key id and the secret access key. */
export async function readKeys(what: string, signal?: AbortSignal, stdin: NodeJS.ReadStream = process.stdin): Promise<LongTermKeys> {
  if (stdin.isTTY) {
    const accessKeyId = (await ask(`Access key id for ${what}: `, true, signal)).trim()
    const secretAccessKey = (await ask(`Secret access key for ${what} (not shown): `, false, signal)).trim()
    return {accessKeyId, secretAccessKey}
  }

  const lines = (await readStdin(stdin)).split(/\r?\n/).map(line => line.trim()).filter(Boolean)
  if (lines.length !== 2) {
    throw new UsageError(`stdin is not a terminal, so the key is read from it as two lines, the access key id then the secret; it has ${lines.length}`, String.raw`e.g. printf "%s\n%s\n" "$ID" "$SECRET" | mfa-creds keys add -p PROFILE`)
  }

  return {accessKeyId: lines[0], secretAccessKey: lines[1]}
}

/** A yes on the terminal, else false. */
export async function confirm(question: string, signal?: AbortSignal): Promise<boolean> {
  const answer = (await ask(`${question} [y/N] `, true, signal)).trim().toLowerCase()
  return answer === 'y' || answer === 'yes'
}
