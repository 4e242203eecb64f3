#!/usr/bin/env node
const {execute, settings} = await import('@oclif/core')
// Plugins run from their built JavaScript, linked ones too (no TypeScript transpiling at run time).
settings.enableAutoTranspile = false
await execute({dir: import.meta.url})
