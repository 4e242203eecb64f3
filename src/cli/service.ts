/**
 * What the three `service` commands share: their flags, and the service spec built from them.
 */
import {Config, Flags} from '@oclif/core'
import os from 'node:os'
import path from 'node:path'

import {CARRIED_ENV, Platform, ServiceSpec} from '../core/os/service.js'
import {DURATION_MAX, DURATION_MIN} from '../core/refresh/settings.js'

export const serviceFlags = {
  duration: Flags.integer({
    description: 'Passed to watch: session length in seconds.', helpValue: 'SECONDS', max: DURATION_MAX, min: DURATION_MIN,
  }),
  'keep-going': Flags.boolean({description: 'Passed to watch: ask again later after a cancelled prompt instead of exiting.'}),
  'mfa-serial-number': Flags.string({description: 'Passed to watch: the MFA device. Default: mfa_serial in ~/.aws/config.', helpValue: 'SERIAL'}),
  platform: Flags.string({
    default: process.platform === 'darwin' ? 'darwin' : 'linux',
    description: 'linux: a systemd user unit; darwin: a launchd agent.',
    options: ['linux', 'darwin'],
  }),
  profile: Flags.string({
    char: 'p', default: ['default'], description: 'Passed to watch: profile(s) to keep fresh.', helpValue: 'PROFILE', multiple: true,
  }),
  prompt: Flags.string({description: 'Passed to watch: how to ask for the code (a service has no terminal: auto means ssh-askpass).', helpValue: 'NAME'}),
  'refresh-lead-time': Flags.integer({description: 'Passed to watch: refresh this many seconds before expiry.', helpValue: 'SECONDS', min: 0}),
}

export interface ServiceFlagValues {
  duration?: number
  'keep-going': boolean
  'mfa-serial-number'?: string
  platform: string
  profile: string[]
  prompt?: string
  'refresh-lead-time'?: number
}

export function serviceSpec(flags: ServiceFlagValues, config: Config, env: NodeJS.ProcessEnv = process.env): ServiceSpec {
  const args = ['watch']
  for (const profile of new Set(flags.profile)) args.push('--profile', profile)
  if (flags['mfa-serial-number']) args.push('--mfa-serial-number', flags['mfa-serial-number'])
  if (flags.duration !== undefined) args.push('--duration', String(flags.duration))
  if (flags['refresh-lead-time'] !== undefined) args.push('--refresh-lead-time', String(flags['refresh-lead-time']))
  if (flags.prompt) args.push('--prompt', flags.prompt)
  if (flags['keep-going']) args.push('--keep-going')
  const carried = Object.fromEntries(CARRIED_ENV.filter(key => env[key]).map(key => [key, env[key]!]))
  return {
    command: [process.execPath, path.join(config.root, 'bin', 'run.js'), ...args],
    env: carried,
    home: env.HOME || os.homedir(),
    platform: flags.platform as Platform,
  }
}
