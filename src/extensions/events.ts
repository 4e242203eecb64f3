/**
 * The host's side of the typed event map (@mfa-creds/sdk, events.ts: the points, their events,
 * what crosses them and the error kinds each carries): per point, how the host reports an error
 * of any other kind (`failed`) and the words it uses in messages.
 *
 * A new point is an entry in the sdk's event map, its codec and builder there, and here an entry
 * of EXTENSION_POINTS and a host codec (`overHook`) with a port adapter beside prompt.ts,
 * writer.ts and source.ts; package.json "hooks" for its built-ins in src/hooks.
 */
import type {KnownErrorKind, PointEvents, PointName} from '@mfa-creds/sdk'

import {EXTENSION_EVENTS} from '@mfa-creds/sdk'

import type {PointErrors} from './errors.js'

import {ConfigError, PromptUnavailableError} from '../core/errors.js'

export interface HostPointEvents<K extends KnownErrorKind = KnownErrorKind> extends PointErrors<K>, PointEvents<K> {
  /** For "fix ..." hints when options are refused. */
  optionsHint: string
  /** "prompt provider's options", "the writer X": for messages. */
  short: string
  /** "prompt provider", "credential writer": for messages. */
  what: string
}

export const EXTENSION_POINTS = {
  prompt: {
    ...EXTENSION_EVENTS.prompt,
    failed: (name, message, hint) => new PromptUnavailableError(`the ${name} prompt failed: ${message}`, hint),
    optionsHint: 'fix --prompt-option or mfa_creds_prompt_KEY in ~/.aws/config',
    short: 'prompt provider',
    what: 'prompt provider',
  },
  source: {
    ...EXTENSION_EVENTS.source,
    failed: (name, message, hint) => new ConfigError(`the ${name} credential source failed: ${message}`, hint),
    optionsHint: 'fix --source-option or mfa_creds_source_KEY in ~/.aws/config',
    short: 'credential source',
    what: 'credential source',
  },
  writer: {
    ...EXTENSION_EVENTS.writer,
    failed: (name, message, hint) => new ConfigError(`the ${name} writer failed: ${message}`, hint),
    optionsHint: 'fix --writer-option or mfa_creds_writer_KEY in ~/.aws/config',
    short: 'writer',
    what: 'credential writer',
  },
} as const satisfies Record<PointName, HostPointEvents>
