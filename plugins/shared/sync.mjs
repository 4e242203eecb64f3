// Writes plugins/shared/own-group.js into each plugin package that runs a program, as
// lib/own-group.js: a package ships only its own files. Run after changing the shared file.
import {copyFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const SHARED = path.dirname(fileURLToPath(import.meta.url))
export const USERS = ['prompt-1password', 'prompt-command', 'prompt-ykman']

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const plugin of USERS) copyFileSync(path.join(SHARED, 'own-group.js'), path.join(SHARED, '..', plugin, 'lib', 'own-group.js'))
}
