/**
 * The table the fast entry answers from, written at build time by scripts/fast-table.mjs from the
 * oclif commands themselves (their flags as oclif defines them), so the two cannot drift apart:
 * the program's name and version, and each fast command's flags.
 */
export interface FlagSpec {
  allowNo?: boolean
  char?: string
  default?: boolean | number | string | string[]
  /** Flags it may not be given with (oclif refuses both). */
  exclusive?: string[]
  kind: 'boolean' | 'integer' | 'string'
  max?: number
  min?: number
  multiple?: boolean
  options?: string[]
}

export interface CommandSpec {
  flags: Record<string, FlagSpec>
  /** --json is one of its flags (oclif's enableJsonFlag). */
  json: boolean
}

export interface FastTable {
  bin: string
  commands: Record<string, CommandSpec>
  /** oclif's dirname: the name of its data and config dirs. */
  dirname: string
  name: string
  version: string
}

/**
 * The commands the fast entry runs itself (each also an oclif command, with the same action):
 * the hot ones, and watch, which runs all day (oclif alone would be a third of its memory).
 */
export const FAST_COMMANDS = ['credential-process', 'export', 'lock', 'refresh-once', 'status', 'watch'] as const
export type FastCommand = typeof FAST_COMMANDS[number]
/** Those of them that use the extension points (so a plugin that offers one sends them to oclif). */
export const EXTENSION_COMMANDS: ReadonlySet<string> = new Set(['credential-process', 'refresh-once', 'watch'])

/** oclif's prefix of the variables it reads for the program `bin` (`MFA_CREDS` for MFA_CREDS_DATA_DIR...). */
export function scoped(bin: string): string {
  return bin.replaceAll('@', '').replaceAll(/[/-]/g, '_').toUpperCase()
}
