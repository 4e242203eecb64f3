/**
 * The two ports a refresh needs, resolved from settings through the plugin hooks: the prompt
 * provider and the credential writer, both checked (name and options) before anything is asked.
 */
import {Config} from '@oclif/core'

import type {PromptProvider} from '../prompts/provider.js'
import type {CredentialWriter} from '../writers/writer.js'

import {Settings} from '../core/settings.js'
import {resolvePromptProvider} from './extensions.js'
import {resolveWriter} from './writers.js'

export async function resolvePorts(config: Config, settings: Settings): Promise<{prompt: PromptProvider; writer: CredentialWriter}> {
  return {prompt: await resolvePromptProvider(config, settings), writer: await resolveWriter(config, settings)}
}
