/**
 * The host side of the credential-writer extension point (see writers/hook.ts): discovery, the
 * chosen writer checked before anything is asked, and an adapter to the CredentialWriter port.
 */
import {Config} from '@oclif/core'

import {IniFileSnapshot} from '../core/credentials-file.js'
import {ConfigError, InternalError, UsageError} from '../core/errors.js'
import {formatExpiration, parseExpiration} from '../core/schedule.js'
import {Settings} from '../core/settings.js'
import {CredentialsFileWriter} from '../writers/credentials-file.js'
import {
  writerErrorFromData, WriterHookAnswer, WriterHookPayload, WriterInfo, WriterOptions,
} from '../writers/hook.js'
import {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from '../writers/writer.js'
import {
  discover, ExtensionPoint, handledAnswer, hookFailure, installedList, runEvent,
} from './hook-events.js'

const BUILT_IN = {name: 'credentials-file'}
const WRITERS: ExtensionPoint = {action: 'mfa-creds:write', discover: 'mfa-creds:writers', what: 'credential writer'}
type Handled = Exclude<WriterHookAnswer, WriterInfo[] | {handled: false}>

export function discoverWriters(config: Config): Promise<Map<string, WriterInfo & {plugin: string}>> {
  return discover<WriterInfo>(config, WRITERS)
}

class HookCredentialWriter implements CredentialWriter {
  constructor(
    private readonly config: Config,
    readonly name: string,
    private readonly plugin: string,
    private readonly options: WriterOptions,
    private readonly credentialsFile: string,
  ) {}

  async check(targetProfile: string): Promise<void> {
    await this.act({
      credentialsFile: this.credentialsFile, name: this.name, options: this.options, targetProfile, type: 'check',
    })
  }

  async read(targetProfile: string, credentials: IniFileSnapshot): Promise<TargetState> {
    const answer = await this.act({
      credentials, credentialsFile: this.credentialsFile, name: this.name, options: this.options, targetProfile, type: 'read',
    })
    if (!('state' in answer)) throw new InternalError(`the ${this.name} writer (${this.plugin}) answered a read without a state`)
    return {expiration: parseExpiration(answer.state.expiration), fingerprint: answer.state.fingerprint}
  }

  async write(request: WriteRequest): Promise<WriteResult> {
    const {credentials, ...rest} = request
    const answer = await this.act({
      credentialsFile: this.credentialsFile,
      name: this.name,
      options: this.options,
      request: {...rest, credentials: {...credentials, expiration: formatExpiration(credentials.expiration)}},
      type: 'write',
    })
    if (!('result' in answer)) throw new InternalError(`the ${this.name} writer (${this.plugin}) answered a write without a result`)
    return {action: answer.result.action, expiration: parseExpiration(answer.result.expiration)!}
  }

  private async act(payload: WriterHookPayload): Promise<Handled> {
    const {failures, successes} = await runEvent<WriterHookAnswer>(this.config, WRITERS.action, payload)
    const answer = handledAnswer<Handled>(successes)
    if (!answer) throw hookFailure(failures, WRITERS.what) ?? new InternalError(`the plugin ${this.plugin} offers the writer ${this.name} but did not answer for it`)
    if ('error' in answer) throw writerErrorFromData(answer.error, this.name)
    return answer
  }
}

/** The writer settings choose, checked (name and options) before anything is asked. */
export async function resolveWriter(config: Config, settings: Pick<Settings, 'credentialsFile' | 'writer' | 'writerOptions' | 'writerSource'>): Promise<CredentialWriter> {
  const writers = await discoverWriters(config)
  const Problem = settings.writerSource === 'flag' ? UsageError : ConfigError
  const info = writers.get(settings.writer)
  if (!info) {
    throw new Problem(`unknown credential writer "${settings.writer}"`, `installed: ${installedList(writers)}; add more with mfa-creds plugins install`)
  }

  const {failures, successes} = await runEvent<WriterHookAnswer>(config, WRITERS.action, {name: settings.writer, options: settings.writerOptions, type: 'validate'} satisfies WriterHookPayload)
  const answer = handledAnswer<Handled>(successes)
  if (!answer) throw hookFailure(failures, WRITERS.what) ?? new InternalError(`the plugin ${info.plugin} offers ${settings.writer} but does not answer for it`)
  if ('problem' in answer && answer.problem) {
    throw new Problem(`the ${settings.writer} writer's options are not usable: ${answer.problem}`, 'fix --writer-option or mfa_creds_writer_KEY in ~/.aws/config')
  }

  // The built-in writer is called in process: the hook boundary is for plugins.
  if (info.plugin === config.name && settings.writer === BUILT_IN.name) return new CredentialsFileWriter(settings.credentialsFile)
  return new HookCredentialWriter(config, settings.writer, info.plugin, settings.writerOptions, settings.credentialsFile)
}
