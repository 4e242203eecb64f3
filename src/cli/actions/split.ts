/** Splits argv at the first `--`: before it the flags, after it COMMAND, exactly as typed (`lock`). */
export function splitCommand(argv: readonly string[]): {command: string[]; flags: string[]} {
  const split = argv.indexOf('--')
  return split === -1 ? {command: [], flags: [...argv]} : {command: argv.slice(split + 1), flags: argv.slice(0, split)}
}
