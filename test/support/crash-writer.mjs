// A writer to be killed: under the protocol lock, again and again, it re-reads FILE and replaces
// [crash-mfa] with the next generation of credentials, exactly as the credentials-file writer
// does (format-preserving edit, atomic replace). MFA_CREDS_TEST_PAUSE_BEFORE_RENAME_MS widens the
// window between writing the temp file and renaming it. Prints "ready" once loaded.
//   node crash-writer.mjs ROOT FILE
import path from 'node:path'
import {pathToFileURL} from 'node:url'

const [root, file] = process.argv.slice(2)
const load = m => import(pathToFileURL(path.join(root, 'dist', m)).href)
const {editCredentials, readIniFile, writeFileAtomic} = await load('core/credentials-file.js')
const {withProtocolLock} = await load('core/lock.js')
const {generation} = await import('./crash-generation.mjs')

process.stdout.write('ready\n')
for (;;) {
  await withProtocolLock(file, {}, async () => {
    const before = await readIniFile(file, 'credentials file')
    const n = Number(/ASIACRASH(\d+)/.exec(String(before.view['crash-mfa']?.aws_access_key_id))?.[1] ?? 0)
    await writeFileAtomic(file, editCredentials(before, 'crash-mfa', generation(n + 1)), before.mode, before.owner)
  })
}
