/** `credential-process`: what the oclif command and the fast entry both run. */
import {credentialProcessJson, readSessionCredentials} from '../../core/aws/session-credentials.js'
import {UsageError} from '../../core/errors.js'
import {refreshOnce} from '../../core/refresh/refresher.js'
import {resolveSettings, SettingsInput} from '../../core/refresh/settings.js'
import {HookHost} from '../../extensions/host.js'
import {CommandIo, withShutdown} from '../command-io.js'
import {promptNotifier} from '../notify.js'
import {resolvePorts} from '../ports.js'

export async function credentialProcess(flags: SettingsInput & {notify?: boolean}, hooks: HookHost, io: CommandIo): Promise<void> {
  const settings = await resolveSettings(flags)
  if (settings.writer !== 'credentials-file') {
    throw new UsageError(`credential-process reads the credentials file, but the writer is ${settings.writer}`, 'use --writer credentials-file (the default) for this profile')
  }

  const ports = await resolvePorts(hooks, settings)
  await withShutdown(io.exit, signal => refreshOnce(settings, {
    ...ports, onEvent: promptNotifier(flags.notify, settings.profile, settings.targetProfile, signal), signal,
  }))
  const credentials = await readSessionCredentials(settings.credentialsFile, settings.targetProfile, settings.profile)
  process.stdout.write(`${credentialProcessJson(credentials)}\n`)
}
