// node --import this-file: every module this process resolves through the ESM loader is logged,
// one URL a line, to $MODULE_LOG (an import of a package shows there; what CommonJS code then
// require()s inside it does not). The hooks run on a loader thread of their own.
// eslint-disable-next-line n/no-unsupported-features/node-builtins -- in Node since 20.6, which the tests run on
import {register} from 'node:module'

register(new URL('module-log-hooks.mjs', import.meta.url), {data: {log: process.env.MODULE_LOG}})
