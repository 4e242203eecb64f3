// The fast entry's bundle, dist/fast-bundle/ (see src/fast/main.ts): a small entry, main.js, and the
// code of each command in a few chunks loaded when it runs, as loading many small modules costs
// more than what these commands do. Native modules (koffi, the keyring) and the AWS
// SDK stay outside, loaded only when a command needs them; oclif must not be in it at all.
import {build} from 'esbuild'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const result = await build({
  bundle: true,
  chunkNames: 'chunk-[hash]',
  entryPoints: [path.join(root, 'src', 'fast', 'main.ts')],
  external: ['@oclif/*', '@aws-sdk/*', '@napi-rs/keyring', 'koffi'],
  format: 'esm',
  logLevel: 'warning',
  // The ES module builds of the SDK's pieces (@smithy): their CommonJS builds pull in all of @smithy/core.
  mainFields: ['module', 'main'],
  metafile: true,
  outdir: path.join(root, 'dist', 'fast-bundle'),
  platform: 'node',
  splitting: true,
  target: 'node20',
})

const oclif = Object.values(result.metafile.outputs).flatMap(o => o.imports).filter(i => i.path.startsWith('@oclif/'))
if (oclif.length > 0) throw new Error(`the fast entry imports ${oclif.map(i => i.path).join(', ')}: it must answer without oclif`)
