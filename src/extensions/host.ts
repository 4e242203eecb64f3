/**
 * The host side of every extension point, once: discovery over every plugin (the built-ins
 * included, through the same events), exactly one offer per name, a plugin's failure reported by
 * its name (never swallowed), the chosen extension's options checked before anything is asked,
 * and the action event run with its answer checked and its error answer turned back into the
 * typed error it stands for.
 *
 * The chosen extension is handed back as the spec plugins implement: a built-in's own spec,
 * called in process (no serialisation; its errors reported as a plugin's would be), or, for a
 * plugin, the spec implemented over the hook (the point's `overHook`).
 */
import type {
  ActionAnswer, ActionPayload, ErrorData, ExtensionInfo, ExtensionOptions, ExtensionSpec, HookAnswer, Info, PointName,
} from '@mfa-creds/sdk'
import type {Config} from '@oclif/core'

import {ConfigError, InternalError, UsageError} from '../core/errors.js'
import {builtInError, errorFromData} from './errors.js'
import {EXTENSION_POINTS} from './events.js'

/**
 * One point's host side (the sdk's codec is its plugin side): the spec, implemented over the
 * action event. `call` sends one action to the plugin that offers the extension, and gives back
 * its answer, or throws the typed error it answered; `overHook` converts and checks the rest (a
 * plugin's answer is not trusted).
 */
export interface HostCodec<P extends PointName, S extends ExtensionSpec> {
  overHook(info: Info<P> & {plugin: string}, call: ActionCall<P>): S
  point: P
}

export type ActionCall<P extends PointName> = <A extends ActionPayload<P>['type']>(
  type: A,
  options: ExtensionOptions,
  payload: Omit<ActionPayload<P, A>, 'name' | 'options' | 'type'>,
) => Promise<Partial<ActionAnswer<P, A>>>

type HookResult = Awaited<ReturnType<Config['runHook']>>

/**
 * What the host needs of oclif: its name (the CLI's own plugin) and its hook runner. The fast
 * entry (src/fast) gives one that runs the CLI's built-in hooks only, for when no plugin is installed.
 */
export type HookHost = Pick<Config, 'name' | 'runHook'>

export type Discovered<P extends PointName> = ExtensionInfo & Info<P> & {plugin: string}

interface EventResult {
  failures: HookResult['failures']
  successes: Array<{plugin: string; result: unknown}>
}

async function runEvent(config: HookHost, event: string, payload: object): Promise<EventResult> {
  // Custom events are not in oclif's typed hook map; errors are captured, then reported by name.
  const result = await (config.runHook as (e: string, o: unknown, t?: number, c?: boolean) => Promise<HookResult>)(event, payload, undefined, true)
  return {failures: result.failures, successes: result.successes.map(s => ({plugin: s.plugin.name, result: s.result}))}
}

function hookFailure(failures: HookResult['failures'], what: string): ConfigError | undefined {
  const [first] = failures
  if (!first) return undefined
  return new ConfigError(
    `the plugin ${first.plugin.name} failed in its ${what} hook: ${first.error.message}`,
    `update or remove it: mfa-creds plugins uninstall ${first.plugin.name}`,
  )
}

/** The answer of the plugin that handled an action (`{handled: true, ...}`), if any. */
function handledAnswer(successes: EventResult['successes']): Record<string, unknown> | undefined {
  for (const {result} of successes) {
    if (result && typeof result === 'object' && !Array.isArray(result) && (result as {handled?: boolean}).handled) return result as Record<string, unknown>
  }

  return undefined
}

/** Every offer of a point, by name; two plugins offering one name is an error naming both. */
export async function discover<P extends PointName>(config: HookHost, point: P): Promise<Map<string, Discovered<P>>> {
  const events = EXTENSION_POINTS[point]
  const {failures, successes} = await runEvent(config, events.discover, {type: 'discover'})
  const problem = hookFailure(failures, events.what)
  if (problem) throw problem
  const found = new Map<string, Discovered<P>>()
  for (const {plugin, result} of successes) {
    if (!Array.isArray(result)) continue
    for (const info of result as Array<Info<P>>) {
      const earlier = found.get(info.name)
      if (earlier) {
        throw new ConfigError(
          `two plugins offer the ${events.what} "${info.name}": ${earlier.plugin} and ${plugin}`,
          'uninstall one of them (mfa-creds plugins uninstall NAME)',
        )
      }

      found.set(info.name, {...info, plugin})
    }
  }

  return found
}

export function installedList(offers: Map<string, {name: string; plugin: string}>): string {
  return [...offers.values()].map(p => `${p.name} (${p.plugin})`).join(', ')
}

/** Which extension settings choose, with its options and where the choice came from. */
export interface Choice {
  name: string
  options: ExtensionOptions
  /** A choice made on the command line is a usage error when wrong; one from a file, a config error. */
  source: 'flag' | string
}

export interface Resolved<P extends PointName, S extends ExtensionSpec> {
  info: Discovered<P>
  /** For the port: a built-in's errors are reported as a plugin's; a plugin's are already typed. */
  rethrow: (error: unknown) => unknown
  spec: S
}

export interface ResolveOptions<S> {
  /** Added to the list of installed names in the error for an unknown one (", or auto"). */
  alsoInstalled?: string
  /** The CLI's own extensions, called in process when the CLI itself is the one that offers the name. */
  builtIns: readonly S[]
  /** Discovery, when the caller has already run it. */
  offers?: Map<string, Discovered<PointName>>
}

/** The extension settings choose, checked (name and options) before anything is asked. */
export async function resolveExtension<P extends PointName, S extends ExtensionSpec>(
  config: HookHost,
  codec: HostCodec<P, S>,
  choice: Choice,
  {alsoInstalled = '', builtIns, offers}: ResolveOptions<S>,
): Promise<Resolved<P, S>> {
  const events = EXTENSION_POINTS[codec.point]
  const found = (offers as Map<string, Discovered<P>> | undefined) ?? await discover(config, codec.point)
  const Problem = choice.source === 'flag' ? UsageError : ConfigError
  const info = found.get(choice.name)
  if (!info) {
    throw new Problem(`unknown ${events.what} "${choice.name}"`, `installed: ${installedList(found as Map<string, Discovered<PointName>>)}${alsoInstalled}; add more with mfa-creds plugins install`)
  }

  const builtIn = info.plugin === config.name ? builtIns.find(spec => spec.name === choice.name) : undefined
  let problem: string | undefined
  if (builtIn) {
    problem = builtIn.validateOptions?.(choice.options)
  } else {
    const {failures, successes} = await runEvent(config, events.action, {name: choice.name, options: choice.options, type: 'validate'})
    const answer = handledAnswer(successes)
    if (!answer) throw hookFailure(failures, events.what) ?? new InternalError(`the plugin ${info.plugin} offers ${choice.name} but does not answer for it`)
    problem = answer.problem ? String(answer.problem) : undefined
  }

  if (problem) throw new Problem(`the ${choice.name} ${events.short}'s options are not usable: ${problem}`, events.optionsHint)
  if (builtIn) return {info, rethrow: error => builtInError(events, error, choice.name), spec: builtIn}

  const call = async (type: string, options: ExtensionOptions, payload: object) => {
    const {failures, successes} = await runEvent(config, events.action, {
      ...payload, name: choice.name, options, type,
    })
    const answer = handledAnswer(successes) as HookAnswer<P> & Record<string, unknown> | undefined
    if (answer && 'error' in answer && answer.error && typeof answer.error === 'object') throw errorFromData(events, answer.error as ErrorData, choice.name)
    if (!answer) throw hookFailure(failures, events.what) ?? new InternalError(`the plugin ${info.plugin} offers the ${events.short} ${choice.name} but did not answer for it`)
    return answer
  }

  return {info, rethrow: error => error, spec: codec.overHook(info, call as never)}
}
