/**
 * For the users of aws-mfa-credentials, the tool mfa-creds replaces: its four flags, taken as they
 * were by the `aws-mfa-credentials` bin, and a hint when they are given to mfa-creds without a
 * command. No oclif here: bin/aws-mfa-credentials.js and the fast entry run it as it is.
 */

/** The seed's flags, with its meanings and defaults (mfa-creds watch's flags of the same names). */
export const SEED_FLAGS: readonly string[] = ['duration', 'mfa-serial-number', 'profile', 'refresh-lead-time']

export const DROP_IN_USAGE = `Usage: aws-mfa-credentials [--mfa-serial-number SERIAL] [--profile PROFILE] [--duration SECONDS] [--refresh-lead-time SECONDS]

Keeps [PROFILE-mfa] of ~/.aws/credentials fresh, as aws-mfa-credentials did: mfa-creds watch,
asking through ssh-askpass, exiting on the first error. What else mfa-creds does: mfa-creds --help
`

export type DropIn = {args: string[]} | {help: true} | {problem: string}

/** The mfa-creds command line the seed's argv stands for, or what is wrong with it. */
export function dropInArgs(argv: readonly string[]): DropIn {
  const args = ['watch', '--prompt', 'ssh-askpass', '--exit-on-error']
  const given = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]
    if (token === '--help' || token === '-h') return {help: true}
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(token)
    if (!m || !SEED_FLAGS.includes(m[1])) return {problem: `aws-mfa-credentials takes no ${JSON.stringify(token)}`}
    // It took each flag once (mfa-creds watch would take several profiles).
    if (given.has(m[1])) return {problem: `--${m[1]} is given twice; aws-mfa-credentials takes one (for several profiles: mfa-creds watch -p A -p B)`}
    given.add(m[1])
    const value = m[2] ?? argv[++i]
    if (value === undefined) return {problem: `--${m[1]} needs a value`}
    args.push(`--${m[1]}`, value)
  }

  return {args}
}

/** `mfa-creds --mfa-serial-number ...`: the seed's way, with no command; what to run instead. */
export function seedHint(argv: readonly string[]): string | undefined {
  const first = argv[0]?.split('=')[0]
  if (!first?.startsWith('--') || !SEED_FLAGS.includes(first.slice(2))) return undefined
  const rest = argv.join(' ')
  return `mfa-creds: a command comes first: to keep [PROFILE-mfa] fresh as aws-mfa-credentials did, run: mfa-creds watch ${rest}\n`
    + `  or aws-mfa-credentials ${rest}, which takes its flags as they were\n`
}
