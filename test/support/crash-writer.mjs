// A writer to be killed: again and again, the real credentials-file writer puts the next
// generation of credentials into [crash-mfa] of FILE (it prepares the new file before the lock,
// then re-reads and renames under it). MFA_CREDS_TEST_PAUSE_BEFORE_RENAME_MS widens the window
// between writing the temp file and renaming it. Prints "ready" once loaded.
//   node crash-writer.mjs ROOT FILE
import path from 'node:path'
import {pathToFileURL} from 'node:url'

const [root, file] = process.argv.slice(2)
const load = m => import(pathToFileURL(path.join(root, 'dist', m)).href)
const {readSharedFile} = await load('core/aws/shared-file.js')
const {CredentialsFileWriter} = await load('writers/credentials-file.js')
const {generation} = await import('./crash-generation.mjs')

const writer = new CredentialsFileWriter(file)
process.stdout.write('ready\n')
for (;;) {
  // The one writer of FILE: what it holds now says which generation comes next.
  const before = await readSharedFile(file, 'credentials file')
  const n = Number(/ASIACRASH(\d+)/.exec(String(before.view['crash-mfa']?.aws_access_key_id))?.[1] ?? 0)
  const next = Object.fromEntries(generation(n + 1))
  await writer.write({
    credentials: {
      accessKeyId: next.aws_access_key_id,
      expiration: new Date(next.expiration),
      secretAccessKey: next.aws_secret_access_key,
      sessionToken: next.aws_session_token,
    },
    targetProfile: 'crash-mfa',
  })
}
