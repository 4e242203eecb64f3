#!/usr/bin/env node
// aws-mfa-credentials, as its users know it: its four flags, run as mfa-creds watch asking
// through ssh-askpass and exiting on the first error (src/fast/drop-in.ts).
const {DROP_IN_USAGE, dropInArgs} = await import('../dist/fast/drop-in.js')
const parsed = dropInArgs(process.argv.slice(2))
if ('help' in parsed) {
  process.stdout.write(DROP_IN_USAGE)
} else if ('problem' in parsed) {
  process.stderr.write(`aws-mfa-credentials: ${parsed.problem}\n${DROP_IN_USAGE}`)
  process.exitCode = 2
} else {
  process.argv.splice(2, Infinity, ...parsed.args)
  await import('./run.js')
}
