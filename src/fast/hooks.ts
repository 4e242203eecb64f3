/**
 * The extension host's hook runner when no plugin takes part: the CLI's own built-in providers,
 * writer and sources, answering their points' events as their hook files (src/hooks, listed in
 * package.json) do through oclif, in the same order, so that discovery and every message are the
 * same (test/fast/equivalence.test.ts compares the two).
 */
import {defineCredentialSource, defineCredentialWriter, definePromptProvider} from '@mfa-creds/sdk'

import {BUILT_IN_PROMPTS, BUILT_IN_SOURCES, BUILT_IN_WRITERS} from '../cli/ports.js'
import {EXTENSION_POINTS} from '../extensions/events.js'
import {HookHost} from '../extensions/host.js'

type Hook = (payload: object) => Promise<unknown>

export function builtInHooks(name: string): HookHost {
  const byEvent = new Map<string, Hook[]>()
  const add = (events: {action: string; discover: string}, hook: Hook) => {
    for (const event of [events.discover, events.action]) byEvent.set(event, [...byEvent.get(event) ?? [], hook])
  }

  for (const spec of BUILT_IN_PROMPTS) add(EXTENSION_POINTS.prompt, definePromptProvider(spec) as Hook)
  for (const spec of BUILT_IN_WRITERS) add(EXTENSION_POINTS.writer, defineCredentialWriter(spec) as Hook)
  for (const spec of BUILT_IN_SOURCES) add(EXTENSION_POINTS.source, defineCredentialSource(spec) as Hook)
  const plugin = {name}
  const runHook = async (event: string, options: object) => {
    const result: {failures: Array<{error: Error; plugin: typeof plugin}>; successes: Array<{plugin: typeof plugin; result: unknown}>} = {failures: [], successes: []}
    for (const hook of byEvent.get(event) ?? []) {
      try {
        result.successes.push({plugin, result: await hook(options)})
      } catch (error) {
        result.failures.push({error: error as Error, plugin})
      }
    }

    return result
  }

  return {name, runHook: runHook as unknown as HookHost['runHook']}
}
