// Writes dist/fast-table.json, what the fast entry (src/fast) answers from: the name and version,
// and each fast command's flags, read from the built oclif commands themselves. A flag the fast
// parser could not treat exactly as oclif does (a custom parse, env, relationships...) fails the
// build, naming it: answer that command through oclif, or teach src/fast/argv.ts first.
import {Flags} from '@oclif/core'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const pjson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
const {FAST_COMMANDS} = await import(pathToFileURL(path.join(root, 'dist', 'fast', 'table.js')).href)
const integerParse = Flags.integer().parse
const UNSUPPORTED = ['aliases', 'allowStdin', 'charAliases', 'combinable', 'delimiter', 'dependsOn', 'env', 'exactlyOne', 'relationships', 'required']

async function kindOf(id, name, flag) {
  if (flag.type === 'boolean') return 'boolean'
  if (flag.parse === integerParse) return 'integer'
  // A string flag's parse gives back what it is given (oclif's default parse).
  for (const probe of ['x', '12', '-1', '']) if (await flag.parse(probe, {}, flag) !== probe) throw new Error(`${id} --${name}: a custom parse`)
  return 'string'
}

const commands = {}
for (const id of FAST_COMMANDS) {
  const {default: Command} = await import(pathToFileURL(path.join(root, 'dist', 'commands', `${id}.js`)).href)
  const flags = {}
  // What oclif parses (util/aggregate-flags.js): --json where enableJsonFlag, base flags, the command's own.
  const all = {...(Command.enableJsonFlag ? {json: Flags.boolean()} : {}), ...Command.baseFlags, ...Command.flags}
  for (const [name, flag] of Object.entries(all)) {
    const unsupported = UNSUPPORTED.filter(key => flag[key] !== undefined && flag[key] !== false && !(Array.isArray(flag[key]) && flag[key].length === 0))
    if (unsupported.length > 0) throw new Error(`${id} --${name}: ${unsupported.join(', ')}`)
    if (typeof flag.default === 'function') throw new Error(`${id} --${name}: a computed default`)
    const spec = {kind: await kindOf(id, name, flag)}
    if (flag.char) spec.char = flag.char
    if (flag.default !== undefined) spec.default = flag.default
    if (flag.allowNo) spec.allowNo = true
    if (flag.multiple) spec.multiple = true
    if (flag.options) spec.options = [...flag.options]
    if (flag.min !== undefined) spec.min = flag.min
    if (flag.max !== undefined) spec.max = flag.max
    if (flag.exclusive?.length) spec.exclusive = [...flag.exclusive]
    flags[name] = spec
  }

  commands[id] = {flags, json: Boolean(Command.enableJsonFlag)}
}

const table = {
  bin: pjson.oclif.bin, commands, dirname: pjson.oclif.dirname, name: pjson.name, version: pjson.version,
}
writeFileSync(path.join(root, 'dist', 'fast-table.json'), `${JSON.stringify(table, null, 2)}\n`)
