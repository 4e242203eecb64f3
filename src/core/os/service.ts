/**
 * Running `watch` as a per-user service: a systemd user unit on Linux, a launchd agent on macOS,
 * with the environment ssh-askpass needs and a restart when it fails.
 */
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {ConfigError, errnoCode, UsageError} from '../errors.js'
import {writeFileAtomic} from '../files/atomic.js'

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
  'XDG_CURRENT_DESKTOP',
]

export const SYSTEMD_UNIT = 'mfa-creds.service'
export const LAUNCHD_LABEL = 'dev.mfa-creds.watch'

export function servicePath(platform: Platform, home: string): string {
  return platform === 'linux'
    ? path.join(home, '.config', 'systemd', 'user', SYSTEMD_UNIT)
    : path.join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`)
}

/**
 * What a service file cannot carry, refused before anything is written: a usage error for the
 * words of the command line (they come from flags), a configuration error for a carried variable.
 */
function refuse(where: {argument: string} | {program: string} | {variable: string}, char: string, format: string): never {
  const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  if ('program' in where) {
    throw new ConfigError(
      `cannot write the service file: the program path ${JSON.stringify(where.program)} holds ${code}, which ${format}`,
      'install mfa-creds (and node) under a path without control characters, quotes or backslashes',
    )
  }

  if ('variable' in where) {
    throw new ConfigError(
      `cannot write the service file: the environment variable ${where.variable} holds ${code}, which ${format}`,
      `fix or unset ${where.variable} in this session, then run it again`,
    )
  }

  throw new UsageError(`cannot write the service file: the argument ${JSON.stringify(where.argument)} holds ${code}, which ${format}`)
}

/** Each word, variable name and value of the spec, with where it comes from (for refusals). */
function values(spec: ServiceSpec): [string, {argument: string} | {variable: string}][] {
  return [
    ...spec.command.map((word): [string, {argument: string}] => [word, {argument: word}]),
    ...Object.entries(spec.env).flatMap(([key, value]): [string, {variable: string}][] => [[key, {variable: key}], [value, {variable: key}]]),
  ]
}

/** How systemd.syntax(7) writes a character inside "...", where it is not itself. */
const SYSTEMD_ESCAPES: Record<string, string> = {
  '\t': String.raw`\t`, '\n': String.raw`\n`, '\r': String.raw`\r`, '"': String.raw`\"`, '%': '%%', '\\': '\\\\',
}

/**
 * One word of a systemd command line or assignment, double-quoted as systemd.syntax(7) reads it:
 * backslash and double quote escaped, control characters (a line break would end the directive
 * and start another) as C escapes, every `%` doubled (specifiers are expanded in both), and in
 * command arguments every `$` doubled (they are variable-expanded; the program's path and
 * Environment= values are not, so there a `$` stays as it is).
 */
function systemdQuote(word: string, expandsVariables: boolean): string {
  let escaped = ''
  for (const char of word) {
    const code = char.codePointAt(0)!
    if (char in SYSTEMD_ESCAPES) escaped += SYSTEMD_ESCAPES[char]
    else if (char === '$' && expandsVariables) escaped += '$$'
    else if (code < 0x20 || code === 0x7F) escaped += `\\x${code.toString(16).padStart(2, '0')}`
    else escaped += char
  }

  return `"${escaped}"`
}

export function systemdUnit(spec: ServiceSpec): string {
  // NUL is the one character no argument or variable can hold (the others are C-escaped).
  for (const [text, where] of values(spec)) if (text.includes('\0')) refuse(where, '\0', 'no command line or environment can hold')
  // systemd refuses a program path with control characters, quotes or backslashes ("Executable
  // name contains special characters"), however they are escaped.
  const special = /["'\\\u0001-\u001F\u007F]/.exec(spec.command[0])
  if (special) refuse({program: spec.command[0]}, special[0], 'systemd does not accept in a program\'s path')
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
    `ExecStart=${spec.command.map((word, i) => systemdQuote(word, i > 0)).join(' ')}`,
    ...env,
    'Restart=on-failure',
    'RestartSec=60',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n')
}

/** Characters XML 1.0 has no way to hold, not even as a character reference. */
const NOT_XML = /[\0-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * XML text: markup characters as entities; tab, line feed and carriage return as character
 * references, so that a parser's line-end handling (CR and CRLF become LF) cannot change them.
 */
function xml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;')
    .replaceAll('\t', '&#9;').replaceAll('\n', '&#10;').replaceAll('\r', '&#13;')
}

export function launchdPlist(spec: ServiceSpec): string {
  for (const [text, where] of values(spec)) {
    const bad = NOT_XML.exec(text)
    if (bad) refuse(where, bad[0], 'a launchd property list (XML 1.0) cannot hold')
  }

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
      : [['systemctl', '--user', 'disable', '--now', SYSTEMD_UNIT]]
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
  const text = serviceFile(spec)
  try {
    await fs.mkdir(path.dirname(file), {recursive: true})
  } catch (error) {
    throw new ConfigError(`cannot create ${path.dirname(file)}: ${(error as Error).message}`)
  }

  await writeFileAtomic(file, text, 0o644)
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

/** launchctl's answers for an agent that is not loaded: nothing to stop, so not a failure. */
const NOT_LOADED = /No such process|Could not find specified service/i

/**
 * Stops the service (where it runs) and removes its file. False when it was not installed. When
 * it could not be stopped (the service manager is not reachable from here), the file is removed
 * all the same and a ConfigError says so, and how to stop what may still run.
 */
export async function uninstallService(platform: Platform, home: string, uid: number): Promise<{file: string; removed: boolean}> {
  const file = servicePath(platform, home)
  try {
    await fs.access(file)
  } catch {
    return {file, removed: false}
  }

  let failed = await runAll(activation(platform, file, uid, false))
  if (failed && platform === 'darwin' && NOT_LOADED.test(failed.detail)) failed = undefined
  await fs.rm(file, {force: true})
  if (failed) {
    const stop = platform === 'linux' ? `systemctl --user stop ${SYSTEMD_UNIT}` : `launchctl bootout gui/${uid}/${LAUNCHD_LABEL}`
    const unreachable = /Failed to connect to bus/i.test(failed.detail)
    throw new ConfigError(
      `removed ${file}, but could not stop the service: \`${failed.command}\` ${unreachable ? 'could not reach the user service manager' : 'failed'} (${failed.detail})`,
      `if it is running, stop it from your login session: ${stop}`
        + (unreachable ? ' (here XDG_RUNTIME_DIR or DBUS_SESSION_BUS_ADDRESS does not lead to your user bus)' : ''),
    )
  }

  // Forget the removed unit (a failure here only leaves it listed as not found until the next reload).
  if (platform === 'linux') await runAll([['systemctl', '--user', 'daemon-reload']])
  return {file, removed: true}
}
