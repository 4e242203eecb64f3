// `node --import` this to record, in the file named by MFA_CREDS_TEST_IMPORTS, every import of
// @oclif/core the program makes: how a test sees which path (fast entry or oclif) answered.
// eslint-disable-next-line n/no-unsupported-features/node-builtins -- in Node since 20.6, which the tests run on
import {register} from 'node:module'

const hook = `
import {appendFileSync} from 'node:fs'
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@oclif/core')) appendFileSync(${JSON.stringify(process.env.MFA_CREDS_TEST_IMPORTS ?? '/dev/null')}, specifier + '\\n')
  return next(specifier, context)
}
`
register(`data:text/javascript,${encodeURIComponent(hook)}`)
