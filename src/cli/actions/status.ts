/** `status`: what the oclif command and the fast entry both run. */
import {configFilePath, credentialsFilePath} from '../../core/aws/paths.js'
import {readStatus, StatusReport} from '../../core/state/status.js'
import {CommandIo} from '../command-io.js'
import {renderStatus, useColour} from '../render-status.js'

export interface StatusFlags {
  profile?: string
  'refresh-lead-time': number
}

export async function status(flags: StatusFlags, io: CommandIo): Promise<StatusReport> {
  const now = new Date()
  const report = await readStatus({
    configFile: configFilePath(), credentialsFile: credentialsFilePath(), leadTimeSeconds: flags['refresh-lead-time'], now, profile: flags.profile,
  })
  io.log(renderStatus(report, now, useColour(process.stdout), flags.profile))
  if (report.profiles.some(p => p.state === 'expired' || p.state === 'incomplete')) process.exitCode = 1
  return report
}
