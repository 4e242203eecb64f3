/** `refresh-once`: what the oclif command and the fast entry both run. */
import {refreshOnce as refresh} from '../../core/refresh/refresher.js'
import {resolveSettings, SettingsInput} from '../../core/refresh/settings.js'
import {HookHost} from '../../extensions/host.js'
import {CommandIo, withShutdown} from '../command-io.js'
import {promptNotifier} from '../notify.js'
import {resolvePorts} from '../ports.js'
import {
  refreshJson, RefreshJson, renderEvent, renderRefresh,
} from '../render.js'

export async function refreshOnce(flags: SettingsInput & {force?: boolean; notify?: boolean}, hooks: HookHost, io: CommandIo): Promise<RefreshJson> {
  const settings = await resolveSettings(flags)
  const {keys, prompt, sessionWriter, writer} = await resolvePorts(hooks, settings)
  const result = await withShutdown(io.exit, signal => {
    const notify = promptNotifier(flags.notify, settings.profile, settings.targetProfile, signal)
    return refresh(settings, {
      keys,
      onEvent(event) {
        notify(event)
        const line = renderEvent(event, prompt.name, settings.profile, settings.targetProfile)
        if (line) io.note(line)
      },
      prompt,
      sessionWriter,
      signal,
      writer,
    })
  })
  const now = new Date()
  io.log(renderRefresh(result, now))
  return refreshJson(result, now)
}
