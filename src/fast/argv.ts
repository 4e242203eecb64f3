/**
 * The fast entry's flag parser: it answers only argv that oclif's parser (@oclif/core,
 * parser/parse.js) reads without a doubt, with the very values oclif would give (defaults
 * applied, integers checked against min and max, options against their list), and declines
 * (undefined) everything else: unknown or repeated flags, a bad value, a value that looks like a
 * flag, a bare argument, `--help`. oclif then parses it and says what is wrong in its own words.
 */
import type {FlagSpec} from './table.js'

export type FlagValues = Record<string, boolean | number | string | string[]>

function optionValue(spec: FlagSpec, input: string): number | string | undefined {
  if (spec.options && !spec.options.includes(input)) return undefined
  if (spec.kind !== 'integer') return input
  if (!/^-?\d+$/.test(input)) return undefined
  const n = Number.parseInt(input, 10)
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return undefined
  return n
}

interface FlagToken {
  /** A value in the same word: `--name=VALUE`, `-cVALUE`, `-c=VALUE`. */
  inline?: string
  name?: string
  negated?: boolean
}

/** Which flag a word names (`--name`, `--no-name`, `-c`), as oclif finds it. */
function readToken(token: string, flags: Readonly<Record<string, FlagSpec>>, byChar: Map<string, string>): FlagToken {
  if (!token.startsWith('--')) {
    const rest = token.slice(2)
    return {inline: rest === '' ? undefined : rest.replace(/^=/, ''), name: byChar.get(token[1])}
  }

  const eq = token.indexOf('=')
  const key = eq === -1 ? token.slice(2) : token.slice(2, eq)
  const inline = eq === -1 ? undefined : token.slice(eq + 1)
  if (Object.hasOwn(flags, key)) return {inline, name: key}
  const negated = key.slice(3)
  if (key.startsWith('no-') && flags[negated]?.kind === 'boolean' && flags[negated].allowNo) return {inline, name: negated, negated: true}
  return {}
}

/** The flags of `argv` as oclif would parse them against `flags`, or undefined: let oclif parse it. */
export function parseFlags(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): FlagValues | undefined {
  const byChar = new Map(Object.entries(flags).filter(([, f]) => f.char).map(([name, f]) => [f.char!, name]))
  const values: FlagValues = {}
  const seen = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    // Bare arguments, `-` and `--` are oclif's (arguments, or errors for these commands).
    if (!token.startsWith('-') || token === '-' || token === '--') return undefined
    const {inline, name, negated} = readToken(token, flags, byChar)
    // Unknown, or given twice (oclif refuses a second value, and takes the last boolean).
    if (name === undefined || (seen.has(name) && !flags[name].multiple)) return undefined
    seen.add(name)
    const spec = flags[name]
    if (spec.kind === 'boolean') {
      if (inline !== undefined) return undefined
      values[name] = !negated
      continue
    }

    const input = inline ?? argv[++i]
    // A missing value, or one that looks like a flag (oclif refuses a flag's name as a value, in
    // any form, and takes other dashed words): oclif says which.
    if (input === undefined || input.startsWith('-')) return undefined
    const value = optionValue(spec, input)
    if (value === undefined) return undefined
    values[name] = spec.multiple ? [...(values[name] as string[] | undefined ?? []), String(value)] : value
  }

  for (const [name, spec] of Object.entries(flags)) {
    if (seen.has(name) && spec.exclusive?.some(other => seen.has(other))) return undefined
    if (!(name in values) && spec.default !== undefined) values[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default
  }

  return values
}
