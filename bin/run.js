#!/usr/bin/env node
// The hot commands (status, lock --, export, credential-process, refresh-once, --version) are
// answered by the fast entry without loading oclif; it declines all else, and oclif runs that.
const {runFast} = await import('../dist/fast-bundle/main.js')
if (!(await runFast(process.argv.slice(2)))) {
  const {execute, settings} = await import('@oclif/core')
  // Plugins run from their built JavaScript, linked ones too (no TypeScript transpiling at run time).
  settings.enableAutoTranspile = false
  await execute({dir: import.meta.url})
}
