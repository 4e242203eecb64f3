import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {keysFlags, refreshFlags} from '../../cli/flags.js'
import {resolvePorts, sessionWriter} from '../../cli/ports.js'
import {renderEvent} from '../../cli/render.js'
import {readSessionCredentials} from '../../core/aws/session-credentials.js'
import {rotateKeys, RotateResult, RotateStep} from '../../core/keys/rotate.js'
import {resolveKeysSettings} from '../../core/keys/settings.js'
import {refreshOnce} from '../../core/refresh/refresher.js'
import {resolveSettings} from '../../core/refresh/settings.js'

const SAID: Record<RotateStep, string> = {
  created: 'IAM made the new key',
  deleted: 'deleted the old key in IAM',
  stored: 'stored the new key',
  works: 'STS takes the new key',
}

export default class KeysRotate extends BaseCommand {
  static override description = `Replace a profile's access key with a new one, and delete the old one in IAM.

With the MFA session in [PROFILE-mfa] (refreshed first when it is due, which asks for a code), calls IAM CreateAccessKey for the IAM user the current key belongs to, stores the new key where the old one is kept (the credentials file under its lock, or the profile's source), waits until STS takes it (IAM is eventually consistent: up to MFA_CREDS_ROTATE_WAIT seconds, 120 by default), and only then deletes the old key (DeleteAccessKey). Any failure after the create exits 7, saying which key is live, where it is stored, and what to do; --finish completes a rotation left half-way.`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %> -p work', description: 'A new key for [work]; the old one is deleted once the new one works'},
    {command: '<%= config.bin %> <%= command.id %> -p work --finish', description: 'Finish a rotation left half-way: keep the stored key, delete the user\'s other one once the stored one works'},
  ]
  static override flags = {
    ...keysFlags,
    duration: refreshFlags.duration,
    finish: Flags.boolean({description: 'Make no new key: wait until the stored key works, then delete the IAM user\'s other key (a rotation left half-way).'}),
    'mfa-serial-number': refreshFlags['mfa-serial-number'],
    prompt: refreshFlags.prompt,
    'prompt-option': refreshFlags['prompt-option'],
    'prompt-timeout': refreshFlags['prompt-timeout'],
  }

  public async run(): Promise<RotateResult> {
    const {flags} = await this.parse(KeysRotate)
    const keysSettings = await resolveKeysSettings({...flags, lockTimeout: flags['lock-timeout']})
    const settings = await resolveSettings(flags)
    const {keys, prompt} = await resolvePorts(this.config, settings)
    const result = await this.withShutdown(signal => rotateKeys(keysSettings, keys, {
      finish: flags.finish,
      async mfaSession() {
        await refreshOnce(settings, {
          keys,
          onEvent(event) {
            const line = renderEvent(event, prompt.name, settings.profile, settings.targetProfile)
            if (line) process.stderr.write(`${line}\n`)
          },
          prompt,
          sessionWriter,
          signal,
          writer: sessionWriter(settings.credentialsFile),
        })
        return readSessionCredentials(settings.credentialsFile, settings.targetProfile, settings.profile)
      },
      onStep: (step, keyId) => this.note(`${settings.profile}: ${SAID[step]} (${keyId})`),
      signal,
    }))
    this.log(`${result.profile}: the new key ${result.newKey} is stored in ${result.source} and works; the old key ${result.oldKey} of IAM user ${result.userName} is deleted`)
    return result
  }
}
