#!/usr/bin/env node
// The AWS SDK warns about Node 20 on every run; keep that off the user's terminal.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const {execute, settings} = await import('@oclif/core')
// Plugins run from their built JavaScript, linked ones too (no TypeScript transpiling at run time).
settings.enableAutoTranspile = false
await execute({dir: import.meta.url})
