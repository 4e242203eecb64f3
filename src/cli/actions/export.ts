/** `export`: what the oclif command and the fast entry both run. */
import {credentialsFilePath} from '../../core/aws/paths.js'
import {ExportFormat, formatExport, readSessionCredentials} from '../../core/aws/session-credentials.js'

export interface ExportFlags {
  format: string
  profile: string
  'target-profile'?: string
}

export async function exportCredentials(flags: ExportFlags): Promise<void> {
  const target = flags['target-profile'] ?? `${flags.profile}-mfa`
  const credentials = await readSessionCredentials(credentialsFilePath(), target, flags.profile)
  process.stdout.write(`${formatExport(credentials, flags.format as ExportFormat)}\n`)
}
