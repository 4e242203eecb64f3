/**
 * The plugin side of every extension point, once: `defineExtension` turns a point's codec and a
 * plugin's spec into the hook the plugin registers for both of the point's events (events.ts).
 * Discovery, name matching, option validation and error answers are here; a point's builder
 * (definePromptProvider, defineCredentialWriter) only says how its actions call the spec.
 */
import type {
  ActionAnswer, ActionPayload, HookAnswer, HookPayload, Info, PointName,
} from './events.js'
import type {ExtensionOptions} from './options.js'

import {errorToData} from './errors.js'
import {EXTENSION_EVENTS} from './events.js'

/** What every extension says of itself, whatever the point. */
export interface ExtensionSpec {
  description: string
  name: string
  /** Checks the extension's options; a message when they are wrong (see unknownOptions). */
  validateOptions?(options: ExtensionOptions): string | undefined
}

/** One point's actions, plugin side: the offer a spec makes, and an action run on it as plain data. */
export interface PointCodec<P extends PointName, S extends ExtensionSpec> {
  /** Runs the action a payload names on the spec; its answer as plain data (times as RFC 3339). */
  act(spec: S, payload: ActionPayload<P>): Promise<ActionAnswer<P>>
  info(spec: S): Info<P>
  point: P
}

/** The hook a plugin registers (as its module's default export) for both of a point's events. */
export type ExtensionHook<P extends PointName> = (payload: HookPayload<P>) => Promise<HookAnswer<P>>

export function defineExtension<P extends PointName, S extends ExtensionSpec>(codec: PointCodec<P, S>, spec: S): ExtensionHook<P> {
  const {kinds} = EXTENSION_EVENTS[codec.point]
  return async payload => {
    if (payload.type === 'discover') return [codec.info(spec)] as HookAnswer<P>
    const {name, options, type} = payload as {name: string; options: ExtensionOptions; type: string}
    if (name !== spec.name) return {handled: false}
    if (type === 'validate') return {handled: true, problem: spec.validateOptions?.(options)}
    try {
      const answer = await codec.act(spec, payload as ActionPayload<P>) as object
      return {...answer, handled: true} as HookAnswer<P>
    } catch (error) {
      return {error: errorToData(kinds, error), handled: true} as HookAnswer<P>
    }
  }
}
