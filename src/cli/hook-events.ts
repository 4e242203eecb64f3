/**
 * What both extension points (prompt providers, credential writers) share on the host side:
 * running a custom oclif hook event with errors captured, reporting a plugin's failure by name
 * (never swallowing it), discovery with exactly one offer per name, and picking the one answer
 * of the plugin that handled an action.
 */
import {Config} from '@oclif/core'

import {ConfigError} from '../core/errors.js'

export interface ExtensionPoint {
  action: string
  discover: string
  /** "prompt provider", "credential writer": for messages. */
  what: string
}

type HookResult = Awaited<ReturnType<Config['runHook']>>

export interface EventResult<A> {
  failures: HookResult['failures']
  successes: Array<{plugin: string; result: A}>
}

export async function runEvent<A>(config: Config, event: string, payload: object): Promise<EventResult<A>> {
  // Custom events are not in oclif's typed hook map; errors are captured, then reported by name.
  const result = await (config.runHook as (e: string, o: unknown, t?: number, c?: boolean) => Promise<HookResult>)(event, payload, undefined, true)
  return {failures: result.failures, successes: result.successes.map(s => ({plugin: s.plugin.name, result: s.result as A}))}
}

export function hookFailure(failures: HookResult['failures'], what: string): ConfigError | undefined {
  const [first] = failures
  if (!first) return undefined
  return new ConfigError(
    `the plugin ${first.plugin.name} failed in its ${what} hook: ${first.error.message}`,
    `update or remove it: mfa-creds plugins uninstall ${first.plugin.name}`,
  )
}

/** Every offer of an extension point, by name; two plugins offering one name is an error naming both. */
export async function discover<I extends {name: string}>(config: Config, point: ExtensionPoint): Promise<Map<string, I & {plugin: string}>> {
  const {failures, successes} = await runEvent<I[]>(config, point.discover, {type: 'discover'})
  const problem = hookFailure(failures, point.what)
  if (problem) throw problem
  const found = new Map<string, I & {plugin: string}>()
  for (const {plugin, result} of successes) {
    if (!Array.isArray(result)) continue
    for (const info of result) {
      const earlier = found.get(info.name)
      if (earlier) {
        throw new ConfigError(
          `two plugins offer the ${point.what} "${info.name}": ${earlier.plugin} and ${plugin}`,
          'uninstall one of them (mfa-creds plugins uninstall NAME)',
        )
      }

      found.set(info.name, {...info, plugin})
    }
  }

  return found
}

/** The answer of the plugin that handled an action (`{handled: true, ...}`), if any. */
export function handledAnswer<A extends {handled: boolean}>(successes: Array<{result: unknown}>): A | undefined {
  for (const {result} of successes) {
    if (result && typeof result === 'object' && !Array.isArray(result) && (result as {handled?: boolean}).handled) return result as A
  }

  return undefined
}

export function installedList(offers: Map<string, {name: string; plugin: string}>): string {
  return [...offers.values()].map(p => `${p.name} (${p.plugin})`).join(', ')
}
