/**
 * Picking one MFA device for `setup`: the one asked for, the only one, or one chosen on the
 * terminal from a numbered list.
 */
import type {MfaDevice} from '../core/aws/iam.js'

import {
  ConfigError, PromptCancelledError, PromptTimedOutError, UsageError,
} from '../core/errors.js'
import {hasTerminal, readTerminalLine} from '../prompts/tty.js'

const CHOICE_TIMEOUT_MS = 300_000

function listing(devices: MfaDevice[]): string {
  return devices.map((d, i) => `  ${i + 1}) ${d.serial}${d.enabled ? ` (since ${d.enabled.toISOString().slice(0, 10)})` : ''}`).join('\n')
}

export async function chooseDevice(devices: MfaDevice[], who: string, wanted: string | undefined, signal?: AbortSignal): Promise<string> {
  if (devices.length === 0) {
    throw new ConfigError(`IAM lists no MFA device for ${who}`, 'assign one in the IAM console (Security credentials, Assign MFA device), then run setup again')
  }

  if (wanted !== undefined) {
    if (devices.some(d => d.serial === wanted)) return wanted
    throw new UsageError(`${wanted} is not an MFA device of ${who}; IAM lists:\n${listing(devices)}`, 'pass one of those with --serial')
  }

  if (devices.length === 1) return devices[0].serial
  if (!hasTerminal()) {
    throw new UsageError(`${who} has ${devices.length} MFA devices and there is no terminal to choose on:\n${listing(devices)}`, 'pass the one to use with --serial')
  }

  let reason = ''
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = (await readTerminalLine({
      echo: true,
      onCancel: () => new PromptCancelledError('no device was chosen; nothing was written'),
      onTimeout: () => new PromptTimedOutError('no device was chosen in time; nothing was written'),
      question: `${reason}MFA devices of ${who}:\n${listing(devices)}\nWhich one? [1-${devices.length}] `,
      signal,
      timeoutMs: CHOICE_TIMEOUT_MS,
      unavailable: () => new UsageError('there is no terminal to choose a device on', 'pass the one to use with --serial'),
    })).trim()
    const index = Number(answer)
    if (/^\d+$/.test(answer) && index >= 1 && index <= devices.length) return devices[index - 1].serial
    const byName = devices.find(d => d.serial === answer)
    if (byName) return byName.serial
    reason = `${JSON.stringify(answer)} is not one of the numbers shown.\n`
  }

  throw new UsageError('no device was chosen after 3 tries; nothing was written', 'run setup again, or pass --serial')
}
