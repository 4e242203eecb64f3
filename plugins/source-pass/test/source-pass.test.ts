import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {runInOwnGroup} from '../../../packages/sdk/src/own-group.js'
import {botocoreCreds, StsStub} from '../../../test/support/peers.js'
import {
  LONG_TERM, RunResult, Sandbox, SERIAL,
} from '../../../test/support/sandbox.js'
import {
  endAgents, gnupgHome, insert, PassStore, passStore, tool,
} from './gpg.js'

const PLUGIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const HOOK = path.join(PLUGIN, 'hooks', 'pass.js')

/** Keys only the password store knows. */
const KEYS = {accessKeyId: 'AKIAPASSSOURCE000001', secretAccessKey: 'pass/Source+Secret00000000000000000000000'}
const OTHER = {accessKeyId: 'AKIAPASSSOURCE000002', secretAccessKey: 'pass/Other+Secret000000000000000000000000'}
const SESSION = {accessKeyId: 'ASIAPASSSESSION00001', secretAccessKey: 'session/Secret+FromStub000000000000000000', sessionToken: 'FwoGZXIvYXdzEOT//////////pass+session+token=='}
const SECRETS = [KEYS.secretAccessKey, OTHER.secretAccessKey, LONG_TERM.secretAccessKey, 'hunter2-not-a-key']
const LINES = `aws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`

function assertNoSecret(text: string, what: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what}: a secret appeared:\n${text}`)
}

/**
 * The hook as the host calls it, in a node process of its own with `env` (PATH, GNUPGHOME, the
 * store): the payload on stdin (it holds the keys: never argv), the answer on stdout.
 */
interface Answer {
  error?: {hint?: string; kind: string; message: string}
  handled?: boolean
  keys?: unknown
}

async function callHook(payload: Record<string, unknown>, env: Record<string, string>): Promise<Answer> {
  const script = `let data = ''
for await (const chunk of process.stdin) data += chunk
const hook = (await import(${JSON.stringify(new URL(`file://${HOOK}`).href)})).default
process.stdout.write(JSON.stringify(await hook(JSON.parse(data))))`
  const outcome = await runInOwnGroup(process.execPath, ['--input-type=module', '-e', script], {
    env: {...process.env, ...env}, input: JSON.stringify({
      credentialsFile: '/nonexistent/credentials', name: 'pass', options: {}, ...payload,
    }), timeoutMs: 60_000,
  })
  assert.ok(outcome.type === 'exited' && outcome.code === 0, JSON.stringify(outcome))
  return JSON.parse(outcome.stdout)
}

/**
 * A `NAME` on PATH that writes its own argv and environment (and its parent's) to SEEN while it
 * runs, then becomes the real program: what anyone reading /proc could see of it.
 */
async function peekingWrapper(bin: string, name: string, seen: string): Promise<void> {
  const real = await tool('/bin/sh', ['-c', `command -v ${name}`], {})
  await fs.writeFile(path.join(bin, name), `#!/bin/sh
{ printf '%s argv: ' ${name}; tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' '\\n' < /proc/$$/environ
  printf 'parent: '; tr '\\0' ' ' < /proc/$PPID/cmdline; echo; tr '\\0' '\\n' < /proc/$PPID/environ; echo --; } >> '${seen}'
exec ${real.stdout.trim()} "$@"
`, {mode: 0o755})
}

describe('plugin mfa-creds-source-pass, with the real pass and gpg', () => {
  let box: Sandbox
  let stub: StsStub
  let store: PassStore
  let env: Record<string, string>

  beforeEach(async () => {
    // No credentials file at all: the keys live in pass, the session goes into a new file.
    box = await Sandbox.create(null)
    stub = await StsStub.start(StsStub.success(SESSION))
    store = await passStore(box.root)
    await fs.mkdir(path.join(box.root, 'bin'))
    env = {
      ...store.env, AWS_ENDPOINT_URL: stub.url, MFA_CREDS_DATA_DIR: path.join(box.root, 'data'), PATH: `${path.join(box.root, 'bin')}:${process.env.PATH}`,
    }
    const linked = await box.link(PLUGIN, env)
    assert.equal(linked.code, 0, linked.stderr)
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\n`)
  })

  afterEach(async () => {
    await endAgents()
    await stub.stop()
    await box.cleanup()
  })

  it('refresh-once --source pass signs with the keys of aws/default; botocore reads [default-mfa]; no long-term key in the file', async () => {
    await insert(store, 'aws/default', `# pasted from aws configure\n[default]\n${LINES}region = eu-west-1\n`)
    const result = await box.run(['refresh-once', '--source', 'pass'], env)
    assert.equal(result.code, 0, result.stderr)
    assertNoSecret(result.stdout + result.stderr, 'refresh-once')
    assert.equal(stub.requests.length, 1)
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${KEYS.accessKeyId}/`), 'signed with the keys in pass')
    assert.deepEqual(await botocoreCreds(box.credentialsFile, 'default-mfa'), {
      access_key: SESSION.accessKeyId, method: 'shared-credentials-file', secret_key: SESSION.secretAccessKey, token: SESSION.sessionToken,
    })
    const file = await box.readCredentials()
    assert.ok(!file.includes(KEYS.accessKeyId) && !file.includes(KEYS.secretAccessKey), file)
  })

  it('mfa_creds_source = pass in ~/.aws/config, with an entry of its own holding credential_process JSON', async () => {
    await insert(store, 'work/aws-alice', JSON.stringify({AccessKeyId: OTHER.accessKeyId, SecretAccessKey: OTHER.secretAccessKey, Version: 1}, null, 2))
    await fs.writeFile(box.configFile, `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_source = pass\nmfa_creds_source_entry = work/aws-alice\n`)
    const result = await box.run(['refresh-once'], env)
    assert.equal(result.code, 0, result.stderr)
    assertNoSecret(result.stdout + result.stderr, 'refresh-once')
    assert.match(stub.requests[0].authorization, new RegExp(`Credential=${OTHER.accessKeyId}/`))
    assert.equal((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token, SESSION.sessionToken)
    assert.ok(!(await box.readCredentials()).includes(OTHER.accessKeyId))
  })

  it('store and remove through the hook, as the host calls it: pass show sees the entry, then does not', async () => {
    const offers = await callHook({type: 'discover'}, env) as unknown as Array<{name: string; stores: boolean}>
    assert.deepEqual(offers.map(o => [o.name, o.stores]), [['pass', true]])
    const before = Date.now()
    assert.deepEqual(await callHook({keys: KEYS, profile: 'alice', type: 'store'}, env), {handled: true})
    const shown = await tool('pass', ['show', 'aws/alice'], store.env)
    assert.equal(shown.code, 0, shown.stderr)
    const [id, secret, created, ...rest] = shown.stdout.split('\n')
    assert.deepEqual([id, secret, rest], [`aws_access_key_id = ${KEYS.accessKeyId}`, `aws_secret_access_key = ${KEYS.secretAccessKey}`, ['']])
    const when = Date.parse(/^created = (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)$/.exec(created)![1])
    assert.ok(when >= before - 1000 && when <= Date.now(), created)
    // get gives back when it was stored too (keys list shows an age).
    const stamp = created.slice('created = '.length)
    assert.deepEqual(await callHook({profile: 'alice', type: 'get'}, env), {handled: true, keys: {...KEYS, created: stamp}})

    // Stored again: replaced, not asked about. An entry of its own, in a store of its own.
    assert.deepEqual(await callHook({keys: OTHER, profile: 'alice', type: 'store'}, env), {handled: true})
    const replaced = await callHook({profile: 'alice', type: 'get'}, env) as {keys: {created?: string}}
    assert.deepEqual(replaced, {handled: true, keys: {...OTHER, created: replaced.keys.created}})
    const elsewhere = {entry: 'team/alice', store_dir: path.join(box.root, 'store')}
    assert.deepEqual(await callHook({
      keys: KEYS, options: elsewhere, profile: 'ignored', type: 'store',
    }, {...env, PASSWORD_STORE_DIR: '/nonexistent'}), {handled: true})
    assert.equal((await tool('pass', ['show', 'team/alice'], store.env)).code, 0)

    assert.deepEqual(await callHook({profile: 'alice', type: 'remove'}, env), {handled: true})
    const gone = await tool('pass', ['show', 'aws/alice'], store.env)
    assert.equal(gone.code, 1)
    assert.match(gone.stderr, /aws\/alice is not in the password store/)
    const again = await callHook({profile: 'alice', type: 'remove'}, env)
    assert.equal(again.error?.kind, 'config')
    assert.match(again.error?.message ?? '', /the pass entry aws\/alice is not in the password store: there is nothing to remove/)
    assert.deepEqual(await callHook({options: {entry: 'team/alice'}, profile: 'x', type: 'remove'}, env), {handled: true})
  })

  it('the keys are in no argv or environment of pass, or of the gpg it runs, while store, get and remove run', async () => {
    const seen = path.join(box.root, 'seen')
    for (const name of ['pass', 'gpg']) await peekingWrapper(path.join(box.root, 'bin'), name, seen)
    assert.deepEqual(await callHook({keys: KEYS, profile: 'alice', type: 'store'}, env), {handled: true})
    const got = await callHook({profile: 'alice', type: 'get'}, env) as {keys: {created?: string}}
    assert.deepEqual(got, {handled: true, keys: {...KEYS, created: got.keys.created}})
    assert.deepEqual(await callHook({profile: 'alice', type: 'remove'}, env), {handled: true})
    const text = await fs.readFile(seen, 'utf8')
    // The wrappers did see each run: pass's own words, and gpg run by pass.
    assert.match(text, /pass argv: \S+ \S+pass insert --multiline --force -- aws\/alice/)
    assert.match(text, /pass argv: \S+ \S+pass show -- aws\/alice/)
    assert.match(text, /pass argv: \S+ \S+pass rm --force -- aws\/alice/)
    assert.match(text, /gpg argv: .* -e /)
    for (const secret of [KEYS.secretAccessKey, KEYS.accessKeyId]) assert.ok(!text.includes(secret), `${secret} is visible in /proc:\n${text}`)
  })

  const failures: Array<[string, (dir: string) => Promise<Record<string, string>>, RegExp]> = [
    ['no entry aws/default', async () => ({}), /the pass entry aws\/default is not in the password store\n.*add it with: pass insert -m aws\/default, or mfa-creds keys add -p default --source pass/],
    ['a store that is not initialised', async dir => ({PASSWORD_STORE_DIR: path.join(dir, 'no-store')}), /the password store .*no-store is not initialised\n.*pass init/],
    ['a GNUPGHOME without the secret key', async dir => {
      await insert(store, 'aws/default', LINES)
      return {GNUPGHOME: await gnupgHome(path.join(dir, 'empty-gnupg'))}
    }, /gpg cannot decrypt the pass entry aws\/default: no secret key for it\n.*gpg --list-secret-keys/],
    ['no pass on PATH', async dir => {
      await fs.mkdir(path.join(dir, 'empty-bin'))
      return {PATH: path.join(dir, 'empty-bin')}
    }, /pass is not installed \(no pass on PATH\)\n.*apt install pass/],
    ['an entry without the keys', async () => {
      await insert(store, 'aws/default', 'hunter2-not-a-key\nlogin: alice\naws_access_key_id = AKIAONLYTHEID0000001\n')
      return {}
    }, /the pass entry aws\/default holds no aws_secret_access_key \(what it holds is not shown: it is a secret\)/],
    ['an entry with a session token', async () => {
      await insert(store, 'aws/default', `${LINES}aws_session_token = FwoGZXIvYXdzSESSION\n`)
      return {}
    }, /the pass entry aws\/default holds session credentials/],
  ]
  for (const [what, make, said] of failures) {
    it(`${what}: exit 6 with a clear message before any code is asked for, no STS request, no secret shown`, async () => {
      const extra = await make(box.root)
      const result: RunResult = await box.run(['refresh-once', '--source', 'pass'], {...env, ...extra})
      assert.equal(result.code, 6, result.stderr)
      assert.match(result.stderr, said)
      assertNoSecret(result.stdout + result.stderr, what)
      assert.deepEqual(await box.askpassCalls(), [], 'asked for a code')
      assert.equal(stub.requests.length, 0)
      await assert.rejects(fs.stat(box.credentialsFile), 'the credentials file was made')
    })
  }

  it('refuses options it does not take, and an entry that is not a name in the store, before anything is run', async () => {
    const unknown = await box.run(['refresh-once', '--source', 'pass', '--source-option', 'colour=red'], env)
    assert.equal(unknown.code, 2, unknown.stderr)
    assert.match(unknown.stderr, /unknown option colour \(it takes entry, store_dir\)/)
    const sneaky = await box.run(['refresh-once', '--source', 'pass', '--source-option', 'entry=../../etc/x'], env)
    assert.equal(sneaky.code, 2, sneaky.stderr)
    assert.match(sneaky.stderr, /the option entry is a pass entry name/)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(stub.requests.length, 0)
  })
})
