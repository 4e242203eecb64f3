/**
 * What the installed plugins could change about a command, read the way oclif finds them
 * (@oclif/core config: the data dir's package.json lists user and linked plugins) without loading
 * them. A plugin's hooks run on every command through oclif (init, prerun...); the fast entry runs
 * none, so a plugin with any hook but the extension points' sends every command to oclif, and one
 * that offers a prompt provider, writer or source sends the commands that use them.
 */
import {readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {scoped} from './table.js'

export type PluginReach = 'every-command' | 'extensions' | 'none'

/**
 * oclif's data or config dir for the program (@oclif/core config, dir()): MFA_CREDS_DATA_DIR
 * (or _CONFIG_DIR), else $XDG_DATA_HOME (or $XDG_CONFIG_HOME)/mfa-creds, else
 * ~/.local/share/mfa-creds (or ~/.config/mfa-creds).
 */
export function oclifDir(category: 'config' | 'data', env: NodeJS.ProcessEnv, bin: string, dirname: string): string {
  const fromEnv = env[`${scoped(bin)}_${category.toUpperCase()}_DIR`]
  if (fromEnv) return fromEnv
  const home = env.HOME || os.homedir() || os.tmpdir()
  return path.join(env[`XDG_${category.toUpperCase()}_HOME`] || path.join(home, category === 'data' ? '.local/share' : '.config'), dirname)
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

interface PluginEntry {
  name?: string
  root?: string
  type?: string
}

interface PluginPjson {
  oclif?: {commands?: unknown; hooks?: Record<string, unknown>; plugins?: unknown[]}
}

/**
 * How far the installed plugins reach, for the program `bin` (its hook events are `BIN:...`;
 * its data dir is named `dirname`). Anything not as expected (a file that cannot be read, a plugin with plugins of its
 * own) counts as reaching every command: oclif then runs it, and says what is wrong.
 */
export function pluginReach(env: NodeJS.ProcessEnv, bin: string, dirname: string): PluginReach {
  const dir = oclifDir('data', env, bin, dirname)
  let reach: PluginReach = 'none'
  try {
    const user = readJson(path.join(dir, 'package.json')) as PluginPjson | undefined
    for (const entry of user?.oclif?.plugins ?? []) {
      const {name, root, type} = (typeof entry === 'string' ? {name: entry, type: 'user'} : entry) as PluginEntry
      if (type !== 'user' && type !== 'link') continue
      const pluginRoot = type === 'link' ? root : name && path.join(dir, 'node_modules', name)
      if (!pluginRoot) return 'every-command'
      const pjson = readJson(path.join(pluginRoot, 'package.json')) as PluginPjson | undefined
      // No oclif section: oclif reads one from .oclifrc and the like. Plugins of its own, or
      // commands (oclif loads them, and warns of broken ones): oclif's to run.
      if (!pjson?.oclif || (pjson.oclif.plugins?.length ?? 0) > 0 || pjson.oclif.commands !== undefined) return 'every-command'
      for (const event of Object.keys(pjson.oclif.hooks ?? {})) {
        if (!event.startsWith(`${bin}:`)) return 'every-command'
        reach = 'extensions'
      }
    }
  } catch {
    return 'every-command'
  }

  return reach
}
