/**
 * The fast entry (bin/run.js calls it first): the commands that run often or in a hot path
 * (status, lock --, export, credential-process, refresh-once, --version), and watch, which runs
 * all day, answered without loading oclif, by the same actions the oclif commands run
 * (src/cli/actions), with the same output, exit codes and --json. It declines (returns false, and
 * oclif runs the command) whatever it cannot answer exactly as oclif would: help, anything its
 * parser is unsure of (argv.ts), a plugin that takes part (plugins.ts), DEBUG, a JSON theme, and
 * MFA_CREDS_FAST=0. Built as a bundle (dist/fast-bundle/, esbuild) split by command: loading
 * many small modules costs more than the work.
 */
import {existsSync, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {ExportFlags} from '../cli/actions/export.js'
import type {StatusFlags} from '../cli/actions/status.js'
import type {WatchFlags} from '../cli/actions/watch.js'
import type {SettingsInput} from '../core/refresh/settings.js'

import {splitCommand} from '../cli/actions/split.js'
import {
  CommandIo, failureJson, failureText, jsonText,
} from '../cli/command-io.js'
import {FlagValues, parseFlags} from './argv.js'
import {seedHint} from './drop-in.js'
import {oclifDir, pluginReach} from './plugins.js'
import {
  EXTENSION_COMMANDS, FAST_COMMANDS, FastTable, scoped,
} from './table.js'

/** Thrown by io.exit, caught below: the command ends with this code. */
class Exit {
  constructor(readonly code: number) {}
}

function loadTable(root: string): FastTable | undefined {
  try {
    return JSON.parse(readFileSync(path.join(root, 'dist', 'fast-table.json'), 'utf8')) as FastTable
  } catch {
    return undefined
  }
}

/** oclif's user agent (`mfa-creds/0.1.0 linux-x64 node-v22.1.0`); WSL, which oclif names so, is left to it. */
function userAgent(table: FastTable): string | undefined {
  if (process.platform === 'linux' && /microsoft/i.test(os.release())) return undefined
  const arch = os.arch() === 'ia32' ? 'x86' : os.arch()
  return `${table.name}/${table.version} ${process.platform}-${arch} node-${process.version}`
}

/** oclif reads a theme for --json output from its config dir; with one, the colours are oclif's to make. */
function hasJsonTheme(env: NodeJS.ProcessEnv, bin: string, dirname: string): boolean {
  return existsSync(path.join(oclifDir('config', env, bin, dirname), 'theme.json'))
}

type Runner = (flags: FlagValues, io: CommandIo, name: string, rest: string[]) => Promise<unknown>

const hooks = async (name: string) => (await import('./hooks.js')).builtInHooks(name)

// Each command's code is loaded only when it runs (the bundle is split by these imports).
const RUNNERS: Record<typeof FAST_COMMANDS[number], Runner> = {
  'credential-process': async (flags, io, name) => (await import('../cli/actions/credential-process.js')).credentialProcess(flags as SettingsInput, await hooks(name), io),
  export: async flags => (await import('../cli/actions/export.js')).exportCredentials(flags as unknown as ExportFlags),
  lock: async (flags, io, _name, rest) => (await import('../cli/actions/lock.js')).lock(flags as {timeout?: number}, rest, io),
  'refresh-once': async (flags, io, name) => (await import('../cli/actions/refresh-once.js')).refreshOnce(flags as SettingsInput, await hooks(name), io),
  status: async (flags, io) => (await import('../cli/actions/status.js')).status(flags as unknown as StatusFlags, io),
  watch: async (flags, io, name) => (await import('../cli/actions/watch.js')).watch(flags as unknown as WatchFlags, await hooks(name), io),
}

interface Answerable {
  command: string[]
  flags: FlagValues
  json: boolean
  runner: Runner
}

/** oclif shows help for `--help` anywhere before a `--`, whatever the command would make of it. */
function asksHelp(argv: string[]): boolean {
  for (const arg of argv) {
    if (arg === '--help') return true
    if (arg === '--') return false
  }

  return false
}

/** The command argv asks for, when the fast entry can answer it exactly as oclif would. */
function answerable(id: string, rest: string[], table: FastTable, env: NodeJS.ProcessEnv): Answerable | undefined {
  const spec = table.commands[id]
  const runner = (RUNNERS as Record<string, Runner | undefined>)[id]
  if (!spec || !runner) return undefined
  // lock takes COMMAND after `--`; without one, oclif says what is wrong.
  if (id === 'lock' && !rest.includes('--')) return undefined
  const {command, flags: flagArgv} = id === 'lock' ? splitCommand(rest) : {command: [], flags: rest}
  const flags = parseFlags(flagArgv, spec.flags)
  if (!flags) return undefined
  const json = spec.json && flags.json === true
  // MFA_CREDS_CONTENT_TYPE=json turns --json on in oclif; a theme colours it.
  if (spec.json && env[`${scoped(table.bin)}_CONTENT_TYPE`]) return undefined
  if (json && hasJsonTheme(env, table.bin, table.dirname)) return undefined
  const reach = pluginReach(env, table.bin, table.dirname)
  if (reach === 'every-command' || (reach === 'extensions' && EXTENSION_COMMANDS.has(id))) return undefined
  return {
    command, flags, json, runner,
  }
}

/** Runs the command, and says how it ends: undefined for a success, else the exit code. */
async function run({command, flags, json, runner}: Answerable, table: FastTable): Promise<number | undefined> {
  const io: CommandIo = {
    bin: table.bin,
    exit(code: number): never {
      throw new Exit(code)
    },
    log(line: string) {
      if (!json) process.stdout.write(`${line}\n`)
    },
    note(line: string) {
      process.stderr.write(`${line}\n`)
    },
  }
  try {
    const result = await runner(flags, io, table.name, command)
    if (json && result !== undefined) process.stdout.write(`${jsonText(result)}\n`)
    return undefined
  } catch (error) {
    if (error instanceof Exit) return error.code
    const failure = failureJson(error as Error)
    if (json) process.stdout.write(`${jsonText(failure)}\n`)
    else process.stderr.write(failureText(table.bin, failure))
    return failure.error.exitCode
  }
}

/**
 * Runs argv (without node and the script) if it can; false: it did nothing, oclif runs it. `root`
 * is the package's directory.
 */
export async function runFast(argv: string[], root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'), env = process.env): Promise<boolean> {
  if (env.MFA_CREDS_FAST === '0' || env.DEBUG || argv.length === 0) return false
  const table = loadTable(root)
  if (!table) return false
  // aws-mfa-credentials' flags with no command: what to run instead (oclif's command_not_found
  // hook says the same, src/hooks/command-not-found.ts).
  const hint = seedHint(argv)
  if (hint && pluginReach(env, table.bin, table.dirname) !== 'every-command') {
    process.stderr.write(hint)
    // eslint-disable-next-line n/no-process-exit -- exit 2, a usage error, as oclif's hook ends it
    process.exit(2)
  }

  if (asksHelp(argv)) return false
  const [id, ...rest] = argv
  const version = id === '--version' && rest.length === 0 ? userAgent(table) : undefined
  // oclif runs plugins' init hooks (and warns of broken plugins) before it prints the version too.
  if (version && pluginReach(env, table.bin, table.dirname) === 'every-command') return false
  const command = version ? undefined : answerable(id, rest, table, env)
  if (!version && !command) return false
  // As oclif: output into a closed pipe (`| head`) is no error, and MFA_CREDS_REDIRECTED is
  // for this process alone, not for the programs it starts (@oclif/core, command.js).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
  delete process.env[`${scoped(table.bin)}_REDIRECTED`]
  if (version) {
    process.stdout.write(`${version}\n`)
    return true
  }

  const code = await run(command!, table)
  // As oclif: an exit or a failure ends the process at once; a success lets it end by itself.
  // eslint-disable-next-line n/no-process-exit -- the exit status oclif gives, with nothing left running
  if (code !== undefined) process.exit(code)
  return true
}
