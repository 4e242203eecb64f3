import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {chooseDevice} from '../cli/choose-device.js'
import {refreshFlags} from '../cli/flags.js'
import {resolveKeySource} from '../cli/ports.js'
import {findMfaDevices, resolveSetupSettings, saveMfaSerial} from '../core/aws/mfa-device.js'
import {DEFAULT_LOCK_TIMEOUT} from '../core/files/lock.js'

export interface SetupJson {
  action: 'unchanged' | 'written'
  configFile: string
  mfaSerial: string
  previous: null | string
  profile: string
  user: string
}

export default class Setup extends BaseCommand {
  static override description = `Find your MFA device and save it as mfa_serial in ~/.aws/config.

Asks STS who the long-term keys of PROFILE belong to (GetCallerIdentity), lists that IAM user's MFA devices (IAM ListMFADevices), lets you pick one on the terminal when there are several, and writes mfa_serial into the profile's section of the config file ($AWS_CONFIG_FILE), changing nothing else in it. For a role profile (role_arn + source_profile) the keys of source_profile are used and mfa_serial goes into the role's section.`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'Set mfa_serial for [default]'},
    {command: '<%= config.bin %> <%= command.id %> -p work', description: 'Set it in [profile work], with the keys of [work]'},
    {command: '<%= config.bin %> <%= command.id %> -p work --serial arn:aws:iam::123456789012:mfa/alice-yubikey', description: 'No questions: choose this one of the listed devices'},
  ]
  static override flags = {
    force: Flags.boolean({description: 'Replace an mfa_serial that is already set to another device.'}),
    'lock-timeout': Flags.integer({
      default: DEFAULT_LOCK_TIMEOUT, description: 'Give up (exit 75) when the credentials file lock is not had within this many seconds.', helpValue: 'SECONDS', min: 0,
    }),
    profile: Flags.string({
      char: 'p', default: 'default', description: 'Profile to set mfa_serial for (its long-term keys, or its source_profile\'s, find the devices).', helpValue: 'PROFILE',
    }),
    serial: Flags.string({description: 'Which of the listed devices to use, instead of choosing on the terminal.', helpValue: 'SERIAL'}),
    source: refreshFlags.source,
    'source-option': refreshFlags['source-option'],
  }

  public async run(): Promise<SetupJson> {
    const {flags} = await this.parse(Setup)
    const settings = await resolveSetupSettings({
      lockTimeout: flags['lock-timeout'], profile: flags.profile, source: flags.source, 'source-option': flags['source-option'],
    })
    const source = await resolveKeySource(this.config, settings)
    const {found, serial} = await this.withShutdown(async signal => {
      const found = await findMfaDevices(settings, await source.get(settings.sourceProfile, {signal}), signal)
      const who = found.userName ? `IAM user ${found.userName}` : found.arn
      return {found, serial: await chooseDevice(found.devices, who, flags.serial, signal)}
    })
    const {action, previous} = await saveMfaSerial(settings, serial, flags.force)
    const section = settings.profile === 'default' ? '[default]' : `[profile ${settings.profile}]`
    this.log(action === 'written'
      ? `mfa_serial = ${serial} written to ${section} of ${settings.configFile}${previous ? ` (was ${previous})` : ''}`
      : `${section} of ${settings.configFile} already has mfa_serial = ${serial}; nothing changed`)
    return {
      action, configFile: settings.configFile, mfaSerial: serial, previous: previous ?? null, profile: settings.profile, user: found.arn,
    }
  }
}
