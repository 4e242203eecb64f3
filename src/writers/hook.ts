/**
 * The credential-writer extension point, as oclif custom hook events (discovery + action), like
 * prompt providers (see prompts/hook.ts):
 *
 * - `mfa-creds:writers` with `{type: 'discover'}`: each plugin answers `[{name, description}]`.
 * - `mfa-creds:write` with `{type: 'validate', name, options}`, `{type: 'check', name, options,
 *   targetProfile, credentialsFile}` (before the prompt: could a write succeed?), `{type: 'read', name, options,
 *   targetProfile, credentialsFile, credentials?}` or `{type: 'write', name, options, request,
 *   credentialsFile}`: the plugin that offers `name` answers `{handled: true, problem?}`,
 *   `{handled: true, state: {expiration?, fingerprint?}}`, `{handled: true, result: {action,
 *   expiration}}` or `{handled: true, error: {kind, message, hint?}}`; the others `{handled: false}`.
 *
 * Times cross as RFC 3339 strings. The built-in credentials-file writer registers the same way.
 */
import type {IniFileSnapshot} from '../core/credentials-file.js'
import type {WriteRequest, WriteResult} from './writer.js'

import {
  AbortedError, ConfigError, InternalError, LockTimeoutError,
} from '../core/errors.js'
import {formatExpiration, parseExpiration} from '../core/schedule.js'

export type WriterOptions = Record<string, string>

export interface WriterInfo {
  description: string
  name: string
}

export interface WriteRequestData extends Omit<WriteRequest, 'credentials'> {
  credentials: {accessKeyId: string; expiration: string; secretAccessKey: string; sessionToken: string}
}

export interface WriterContext {
  /** The credentials file as just read, when the host has it (for writers that use that file). */
  credentials?: IniFileSnapshot
  credentialsFile: string
}

export type WriterHookPayload =
  | (WriterContext & {name: string; options: WriterOptions; request: WriteRequestData; type: 'write'})
  | (WriterContext & {name: string; options: WriterOptions; targetProfile: string; type: 'check'})
  | (WriterContext & {name: string; options: WriterOptions; targetProfile: string; type: 'read'})
  | {name: string; options: WriterOptions; type: 'validate'}
  | {type: 'discover'}

export type WriterErrorKind = 'aborted' | 'config' | 'failed' | 'internal' | 'lock-timeout'

export type WriterHookAnswer =
  | WriterInfo[]
  | {error: {hint?: string; kind: WriterErrorKind; message: string}; handled: true}
  | {handled: false}
  | {handled: true; problem?: string}
  | {handled: true; result: {action: WriteResult['action']; expiration: string}}
  | {handled: true; state: {expiration?: string; fingerprint?: string}}

export interface CredentialWriterSpec {
  /** Optional: throws (a ConfigError, say) when a write could not succeed; called before the prompt. */
  check?(targetProfile: string, options: WriterOptions, context: WriterContext): Promise<void>
  description: string
  name: string
  /** The target's current state: when it expires, and a fingerprint that changes when it changes. */
  read(targetProfile: string, options: WriterOptions, context: WriterContext): Promise<{expiration?: Date; fingerprint?: string}>
  validateOptions?(options: WriterOptions): string | undefined
  /** Writes the credentials; keeps the target when it changed since `baseline` and lasts longer. */
  write(request: WriteRequest, options: WriterOptions, context: WriterContext): Promise<WriteResult>
}

const WRITER_ERROR_KINDS: Record<string, WriterErrorKind> = {
  AbortedError: 'aborted', ConfigError: 'config', InternalError: 'internal', LockTimeoutError: 'lock-timeout',
}

function writerErrorKind(error: unknown): WriterErrorKind {
  return WRITER_ERROR_KINDS[(error as Error | undefined)?.name ?? ''] ?? 'failed'
}

/** Builds the hook a plugin registers for both events (`mfa-creds:writers`, `mfa-creds:write`). */
export function defineCredentialWriter(spec: CredentialWriterSpec): (payload: WriterHookPayload) => Promise<WriterHookAnswer> {
  return async payload => {
    if (payload.type === 'discover') return [{description: spec.description, name: spec.name}]
    if (payload.name !== spec.name) return {handled: false}
    if (payload.type === 'validate') return {handled: true, problem: spec.validateOptions?.(payload.options)}
    try {
      const context: WriterContext = {credentials: payload.credentials, credentialsFile: payload.credentialsFile}
      if (payload.type === 'check') {
        await spec.check?.(payload.targetProfile, payload.options, context)
        return {handled: true}
      }

      if (payload.type === 'read') {
        const state = await spec.read(payload.targetProfile, payload.options, context)
        return {handled: true, state: {expiration: state.expiration && formatExpiration(state.expiration), fingerprint: state.fingerprint}}
      }

      const {credentials, ...rest} = payload.request
      const result = await spec.write({...rest, credentials: {...credentials, expiration: parseExpiration(credentials.expiration)!}}, payload.options, context)
      return {handled: true, result: {action: result.action, expiration: formatExpiration(result.expiration)}}
    } catch (error) {
      const e = error as Error & {hint?: string}
      return {error: {hint: e.hint, kind: writerErrorKind(error), message: e.message}, handled: true}
    }
  }
}

/** Turns an error answer back into the typed error (and exit code) it stands for. */
export function writerErrorFromData(data: {hint?: string; kind: WriterErrorKind; message: string}, writer: string): Error {
  switch (data.kind) {
    case 'aborted': {
      return new AbortedError()
    }

    case 'config': {
      return new ConfigError(data.message, data.hint)
    }

    case 'internal': {
      return new InternalError(data.message, data.hint)
    }

    case 'lock-timeout': {
      return new LockTimeoutError(data.message, data.hint)
    }

    default: {
      return new ConfigError(`the ${writer} writer failed: ${data.message}`, data.hint)
    }
  }
}
