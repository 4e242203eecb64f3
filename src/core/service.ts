/**
 * Running `watch` as a per-user service: a systemd user unit on Linux, a launchd agent on macOS,
 * with the environment ssh-askpass needs and a restart when it fails.
 */
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {writeFileAtomic} from './credentials-file.js'
import {ConfigError, errnoCode} from './errors.js'

const execFileP = promisify(execFile)

export type Platform = 'darwin' | 'linux'

export interface ServiceSpec {
  /** The command line: node, the CLI entry point, `watch` and its flags. */
  command: string[]
  /** Variables the service needs from the session that installs it (display, askpass, AWS files). */
  env: Record<string, string>
  home: string
  platform: Platform
}

/** Variables worth carrying into the service, when set where it is installed. */
export const CARRIED_ENV = [
  'AWS_CONFIG_FILE',
  'AWS_DEFAULT_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_STS',
  'AWS_REGION',
  'AWS_SHARED_CREDENTIALS_FILE',
  'DISPLAY',
  'PATH',
  'SSH_ASKPASS',
  'SSH_ASKPASS_REQUIRE',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
]

export const SYSTEMD_UNIT = 'mfa-creds.service'
export const LAUNCHD_LABEL = 'dev.mfa-creds.watch'

export function servicePath(platform: Platform, home: string): string {
  return platform === 'linux'
    ? path.join(home, '.config', 'systemd', 'user', SYSTEMD_UNIT)
    : path.join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`)
}

/** One word of a systemd command line or assignment: quoted, with specifiers and variables escaped. */
function systemdQuote(word: string, expandsVariables: boolean): string {
  let escaped = word.replaceAll('\\', '\\\\').replaceAll('"', String.raw`\"`).replaceAll('%', '%%')
  if (expandsVariables) escaped = escaped.replaceAll('$', '$$$$')
  return `"${escaped}"`
}

export function systemdUnit(spec: ServiceSpec): string {
  const env = Object.entries(spec.env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `Environment=${systemdQuote(`${key}=${value}`, false)}`)
  return [
    '# Written by `mfa-creds service install`; `mfa-creds service uninstall` removes it.',
    '[Unit]',
    'Description=mfa-creds: keep MFA session credentials fresh',
    'After=graphical-session.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.command.map(word => systemdQuote(word, true)).join(' ')}`,
    ...env,
    'Restart=on-failure',
    'RestartSec=60',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n')
}

function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;')
}

export function launchdPlist(spec: ServiceSpec): string {
  const env = Object.entries(spec.env)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `    <key>${xml(key)}</key>\n    <string>${xml(value)}</string>`)
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by \`mfa-creds service install\`; \`mfa-creds service uninstall\` removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${spec.command.map(word => `    <string>${xml(word)}</string>`).join('\n')}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
${env.join('\n')}
  </dict>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ThrottleInterval</key>
  <integer>60</integer>
  <key>ProcessType</key>
  <string>Interactive</string>
  <key>StandardErrorPath</key>
  <string>${xml(path.join(spec.home, 'Library', 'Logs', 'mfa-creds.log'))}</string>
</dict>
</plist>
`
}

export function serviceFile(spec: ServiceSpec): string {
  return spec.platform === 'linux' ? systemdUnit(spec) : launchdPlist(spec)
}

/** The commands that start (or stop) the installed service, for running or for telling. */
export function activation(platform: Platform, file: string, uid: number, start: boolean): string[][] {
  if (platform === 'linux') {
    return start
      ? [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', '--now', SYSTEMD_UNIT]]
      : [['systemctl', '--user', 'disable', '--now', SYSTEMD_UNIT], ['systemctl', '--user', 'daemon-reload']]
  }

  return start ? [['launchctl', 'bootstrap', `gui/${uid}`, file]] : [['launchctl', 'bootout', `gui/${uid}/${LAUNCHD_LABEL}`]]
}

async function runAll(commands: string[][]): Promise<undefined | {command: string; detail: string}> {
  for (const [program, ...args] of commands) {
    try {
      await execFileP(program, args, {timeout: 30_000})
    } catch (error) {
      const stderr = String((error as {stderr?: string}).stderr ?? '').trim().split('\n')[0]
      const detail = errnoCode(error) === 'ENOENT' ? `${program} is not installed` : stderr || (error as Error).message
      return {command: [program, ...args].join(' '), detail}
    }
  }

  return undefined
}

export interface InstallResult {
  file: string
  started: boolean
}

/** Writes the service file (0644, atomically) and, unless told not to, starts it. */
export async function installService(spec: ServiceSpec, options: {start: boolean; uid: number}): Promise<InstallResult> {
  const file = servicePath(spec.platform, spec.home)
  try {
    await fs.mkdir(path.dirname(file), {recursive: true})
  } catch (error) {
    throw new ConfigError(`cannot create ${path.dirname(file)}: ${(error as Error).message}`)
  }

  await writeFileAtomic(file, serviceFile(spec), 0o644)
  if (!options.start) return {file, started: false}
  const commands = activation(spec.platform, file, options.uid, true)
  const failed = await runAll(commands)
  if (failed) {
    throw new ConfigError(
      `wrote ${file}, but could not start it: \`${failed.command}\` failed (${failed.detail})`,
      `start it yourself once the service manager is reachable: ${commands.map(c => c.join(' ')).join(' && ')}`,
    )
  }

  return {file, started: true}
}

/** Stops the service (where it runs) and removes its file. False when it was not installed. */
export async function uninstallService(platform: Platform, home: string, uid: number): Promise<{file: string; removed: boolean}> {
  const file = servicePath(platform, home)
  try {
    await fs.access(file)
  } catch {
    return {file, removed: false}
  }

  // Stopping may fail when the service manager is not reachable (or it never ran): remove anyway.
  await runAll(activation(platform, file, uid, false))
  await fs.rm(file, {force: true})
  return {file, removed: true}
}
