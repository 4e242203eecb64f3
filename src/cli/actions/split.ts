/** Splits argv at the first `--`: before it the flags, after it COMMAND, exactly as typed (`lock`). */
export function splitCommand(argv: readonly string[]): {command: string[]; flags: string[]} {
  const split = argv.indexOf('--')
  return split === -1 ? {command: [], flags: [...argv]} : {command: argv.slice(split + 1), flags: argv.slice(0, split)}
}

/**
 * Splits argv where COMMAND begins (`exec`): after a `--`, or else at the first argument that is
 * neither a flag nor a flag's value, so that `exec -p work aws s3 ls --profile x` gives aws its
 * own --profile. `takesValue(flag)` says whether `--name` or `-c` is followed by its value (a
 * `--name=value` or `-cvalue` never is). Everything from COMMAND on is kept exactly as typed.
 */
export function splitAtCommand(argv: readonly string[], takesValue: (flag: string) => boolean): {command: string[]; flags: string[]} {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') return {command: argv.slice(i + 1), flags: argv.slice(0, i)}
    if (!arg.startsWith('-') || arg === '-') return {command: argv.slice(i), flags: argv.slice(0, i)}
    const attached = arg.startsWith('--') ? arg.includes('=') : arg.length > 2
    if (!attached && takesValue(arg)) i++
  }

  return {command: [], flags: [...argv]}
}
