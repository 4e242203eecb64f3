/**
 * The three ports a refresh needs, resolved from settings through the one extension host
 * (src/extensions): the credential source of the long-term keys, the prompt provider (`auto`
 * chosen by OpenSSH's rules, then by the desktop: prompts/auto.ts) and the credential writer,
 * each checked (name and options) before anything is asked. The built-ins are listed
 * here: when the CLI itself offers the chosen name, the host calls its spec in process.
 */
import type {PromptProviderSpec} from '@mfa-creds/sdk'

import type {CredentialWriter, KeySource, PromptProvider} from '../core/refresh/ports.js'

import {PromptUnavailableError} from '../core/errors.js'
import {Settings} from '../core/refresh/settings.js'
import {discover, HookHost, resolveExtension} from '../extensions/host.js'
import {PROMPT_POINT, promptPort} from '../extensions/prompt.js'
import {HostSourceSpec, SOURCE_POINT, sourcePort} from '../extensions/source.js'
import {HostWriterSpec, WRITER_POINT, writerPort} from '../extensions/writer.js'
import {chooseAuto} from '../prompts/auto.js'
import {kdialogPrompt} from '../prompts/kdialog.js'
import {osascriptPrompt} from '../prompts/osascript.js'
import {sshAskpassPrompt} from '../prompts/ssh-askpass.js'
import {stdinPrompt} from '../prompts/stdin.js'
import {ttyPrompt} from '../prompts/tty.js'
import {zenityPrompt} from '../prompts/zenity.js'
import {commandSource} from '../sources/command.js'
import {credentialsFileSource} from '../sources/credentials-file.js'
import {keyringSource} from '../sources/keyring.js'
import {CredentialsFileWriter, credentialsFileWriter} from '../writers/credentials-file.js'

/** In the order of their hooks in package.json (oclif.hooks), which discovery follows on both paths. */
export const BUILT_IN_PROMPTS: readonly PromptProviderSpec[] = [kdialogPrompt, osascriptPrompt, sshAskpassPrompt, stdinPrompt, ttyPrompt, zenityPrompt]
export const BUILT_IN_WRITERS: readonly HostWriterSpec[] = [credentialsFileWriter]
export const BUILT_IN_SOURCES: readonly HostSourceSpec[] = [commandSource, credentialsFileSource, keyringSource]

class UnavailableProvider implements PromptProvider {
  readonly name = 'none'
  readonly retriesRejectedCodes = false

  constructor(private readonly error: Error) {}

  ask(): Promise<string> {
    return Promise.reject(this.error)
  }

  check(): void {
    throw this.error
  }
}

/**
 * The provider settings choose (`auto` by OpenSSH's rules), checked before anything is asked:
 * an unknown name lists what is installed; options the provider refuses are an error too.
 */
export async function resolvePromptProvider(config: HookHost, settings: Pick<Settings, 'prompt' | 'promptOptions' | 'promptSource'>, env: NodeJS.ProcessEnv = process.env): Promise<PromptProvider> {
  const offers = await discover(config, 'prompt')
  let name = settings.prompt
  if (name === 'auto') {
    const chosen = chooseAuto(env)
    if (!chosen) {
      return new UnavailableProvider(new PromptUnavailableError(
        'no way to ask for the MFA code: there is no terminal, no display (DISPLAY or WAYLAND_DISPLAY) and no ssh-askpass to run',
        'run it in a terminal; set DISPLAY (or WAYLAND_DISPLAY) for a window (zenity, kdialog or ssh-askpass; osascript on macOS); '
        + 'pipe the code in with --prompt stdin; or choose with --prompt NAME (mfa-creds providers lists them; SSH_ASKPASS_REQUIRE=force selects ssh-askpass)',
      ))
    }

    name = chosen
  }

  const {rethrow, spec} = await resolveExtension(config, PROMPT_POINT, {name, options: settings.promptOptions, source: settings.promptSource}, {
    alsoInstalled: ', or auto', builtIns: BUILT_IN_PROMPTS, offers,
  })
  return promptPort(spec, settings.promptOptions, rethrow)
}

/** Providers that ask on our terminal or read our standard input. */
const TERMINAL_PROMPTS = new Set(['stdin', 'tty'])
const noTerminal = () => false

/**
 * The provider that asks for codes while another program has the terminal (exec --server, whose
 * COMMAND may be a shell reading it): the one settings choose, `auto` choosing as if there were
 * no terminal, and then only a window on a display or an $SSH_ASKPASS set by hand (an askpass
 * found on PATH, with no display, would only fail); undefined when nothing could ask.
 */
export async function resolveBackgroundPrompt(config: HookHost, settings: Pick<Settings, 'prompt' | 'promptOptions' | 'promptSource'>, env: NodeJS.ProcessEnv = process.env): Promise<PromptProvider | undefined> {
  let name: string | undefined = settings.prompt
  if (name === 'auto') {
    name = chooseAuto(env, {terminal: noTerminal})
    if (!env.DISPLAY && !env.WAYLAND_DISPLAY && !env.SSH_ASKPASS && process.platform !== 'darwin') name = undefined
  }

  if (name === undefined || TERMINAL_PROMPTS.has(name)) return undefined
  return resolvePromptProvider(config, {...settings, prompt: name}, env)
}

/** The writer settings choose, checked (name and options) before anything is asked. */
export async function resolveWriter(config: HookHost, settings: Pick<Settings, 'credentialsFile' | 'writer' | 'writerOptions' | 'writerSource'>): Promise<CredentialWriter> {
  const {rethrow, spec} = await resolveExtension(config, WRITER_POINT, {name: settings.writer, options: settings.writerOptions, source: settings.writerSource}, {
    builtIns: BUILT_IN_WRITERS,
  })
  return writerPort(spec, settings.writerOptions, settings.credentialsFile, rethrow)
}

/** The credential source settings choose for the source profile's keys, checked (name and options) before anything is asked. */
export async function resolveKeySource(config: HookHost, settings: Pick<Settings, 'credentialsFile' | 'keySource' | 'keySourceOptions' | 'keySourceOrigin'>): Promise<KeySource> {
  const {rethrow, spec} = await resolveExtension(config, SOURCE_POINT, {name: settings.keySource, options: settings.keySourceOptions, source: settings.keySourceOrigin}, {
    builtIns: BUILT_IN_SOURCES,
  })
  return sourcePort(spec, settings.keySourceOptions, settings.credentialsFile, rethrow)
}

/** The MFA session a role is assumed from always goes to the credentials file, through the built-in writer. */
export function sessionWriter(credentialsFile: string): CredentialWriter {
  return new CredentialsFileWriter(credentialsFile)
}

export interface Ports {
  keys: KeySource
  prompt: PromptProvider
  sessionWriter: typeof sessionWriter
  writer: CredentialWriter
}

export async function resolvePorts(config: HookHost, settings: Settings): Promise<Ports> {
  return {
    keys: await resolveKeySource(config, settings), prompt: await resolvePromptProvider(config, settings), sessionWriter, writer: await resolveWriter(config, settings),
  }
}
