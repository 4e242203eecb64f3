// oclif's command_not_found: `mfa-creds --mfa-serial-number ...` (aws-mfa-credentials' flags, no
// command) is answered with what to run instead, as the fast entry answers it; any other unknown
// command gets oclif's own error.
import {Errors, Hook} from '@oclif/core'

import {seedHint} from '../fast/drop-in.js'

const hook: Hook<'command_not_found'> = async function (options) {
  const hint = seedHint([options.id, ...(options.argv ?? [])])
  if (!hint) throw new Errors.CLIError(`command ${options.id} not found`)
  process.stderr.write(hint)
  this.exit(2)
}

export default hook
