import assert from 'node:assert/strict'
import {ChildProcess, spawn} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {killWhenSaid} from '../support/kill.js'
import {botocoreCreds, ROOT, StsStub} from '../support/peers.js'
import {
  BIN, collect, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'
import {Terminal} from '../support/terminal.js'

const SOURCE_DIR_PLUGIN = path.join(ROOT, 'test', 'fixtures', 'plugins', 'source-dir')
const KEY = {accessKeyId: 'AKIAKEYSADDKEYSADD01', secretAccessKey: 'keys/Add+Secret00000000000000000000000000'}
const FILE_KEY = {accessKeyId: 'AKIAINTHEFILEINFILE1', secretAccessKey: 'in/The+File+Secret0000000000000000000000'}
/** A credentials file as people have them: comments, CRLF, another profile, a session. */
const CREDENTIALS = `# my keys\r\n[work]\r\n; from the console\r\naws_access_key_id = ${FILE_KEY.accessKeyId}\r\naws_secret_access_key = ${FILE_KEY.secretAccessKey}\r\n\r\n[work-mfa]\r\naws_access_key_id = ASIAX\r\naws_secret_access_key = s\r\naws_session_token = t\r\nexpiration = 2030-01-01T00:00:00Z\r\n`
const CONFIG = '[default]\nregion = us-east-1\n\n[profile work]\n# the work account\nregion = eu-west-1\n'

function assertNoSecret(result: RunResult, what: string): void {
  for (const secret of [KEY.secretAccessKey, FILE_KEY.secretAccessKey]) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `${what}: a secret appeared:\n${result.stdout}\n${result.stderr}`)
  }
}

describe('keys: add, import, list, remove', () => {
  let box: Sandbox
  let sourceDir: string

  const env = (extra: Record<string, string> = {}) => box.env({SOURCE_DIR: sourceDir, ...extra})
  /** The CLI with stdin from `input` (a pipe: not a terminal). */
  const start = (args: string[], input = '', extra: Record<string, string> = {}): {child: ChildProcess; done: Promise<RunResult>} => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: box.root, detached: true, env: env(extra), stdio: ['pipe', 'pipe', 'pipe'],
    })
    child.stdin!.on('error', () => {})
    child.stdin!.end(input)
    return {child, done: collect(child)}
  }

  const run = (args: string[], input = '', extra: Record<string, string> = {}) => start(args, input, extra).done
  const files = async () => ({config: await fs.readFile(box.configFile, 'utf8'), credentials: await box.readCredentials()})
  const kept = async (profile = 'work') => JSON.parse(await fs.readFile(path.join(sourceDir, `${profile}.json`), 'utf8').catch(() => 'null'))

  beforeEach(async () => {
    box = await Sandbox.create(CREDENTIALS)
    sourceDir = path.join(box.root, 'kept')
    await fs.mkdir(sourceDir)
    await fs.writeFile(box.configFile, CONFIG)
    const linked = await box.link(SOURCE_DIR_PLUGIN)
    assert.equal(linked.code, 0, linked.stderr)
  })

  afterEach(() => box.cleanup())

  describe('add', () => {
    it('from two lines of stdin into the credentials file: a new section, no other byte changed, the config left alone', async () => {
      const result = await run(['keys', 'add', '-p', 'ci', '--json'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)
      assert.equal(result.code, 0, result.stderr)
      assertNoSecret(result, 'add')
      assert.deepEqual(JSON.parse(result.stdout), {
        accessKeyId: 'AKIA...DD01', config: 'unchanged', configFile: box.configFile, profile: 'ci', source: 'credentials-file',
      })
      assert.deepEqual(await files(), {config: CONFIG, credentials: `${CREDENTIALS}\r\n[ci]\r\naws_access_key_id = ${KEY.accessKeyId}\r\naws_secret_access_key = ${KEY.secretAccessKey}\r\n`})
      const creds = await botocoreCreds(box.credentialsFile, 'ci')
      assert.deepEqual([creds?.access_key, creds?.secret_key], [KEY.accessKeyId, KEY.secretAccessKey])
    })

    it('into a source that keeps keys, pointing the config at it; refresh-once then signs with that key', async () => {
      const result = await run(['keys', 'add', '-p', 'dev', '--source', 'dir', '--source-option', 'vault=team'], `${KEY.accessKeyId}\r\n${KEY.secretAccessKey}\r\n`)
      assert.equal(result.code, 0, result.stderr)
      assertNoSecret(result, 'add')
      assert.equal((await kept('dev')).accessKeyId, KEY.accessKeyId)
      assert.equal(await box.readCredentials(), CREDENTIALS)
      assert.equal(await fs.readFile(box.configFile, 'utf8'), `${CONFIG}\n[profile dev]\nmfa_creds_source = dir\nmfa_creds_source_vault = team\n`)
      const stub = await StsStub.start()
      try {
        const refresh = await box.run(['refresh-once', '-p', 'dev', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: stub.url, SOURCE_DIR: sourceDir})
        assert.equal(refresh.code, 0, refresh.stderr)
        assert.match(stub.requests[0].authorization, new RegExp(`Credential=${KEY.accessKeyId}/`))
      } finally {
        await stub.stop()
      }
    })

    it('on a terminal: the id is shown, the secret is not', async () => {
      const term = Terminal.open(`"${process.execPath}" "${BIN}" keys add -p ci`, env())
      await term.waitFor(/Access key id for ci: /)
      term.type(`${KEY.accessKeyId}\r`)
      await term.waitFor(/Secret access key for ci \(not shown\): /)
      term.type(`${KEY.secretAccessKey}\r`)
      assert.equal(await term.exit(), 0, term.output)
      assert.ok(term.output.includes(KEY.accessKeyId), term.output)
      assert.ok(!term.output.includes(KEY.secretAccessKey), 'the secret was echoed')
      assert.match(await box.readCredentials(), new RegExp(`\\[ci\\]\\r\\naws_access_key_id = ${KEY.accessKeyId}`))
    })

    for (const [what, input, code, said] of [
      ['a session key (ASIA)', `ASIAKEYSADDKEYSADD01\n${KEY.secretAccessKey}\n`, 2, /starts with ASIA: it belongs to session credentials/],
      ['something that is no access key id', `${KEY.secretAccessKey}\n${KEY.accessKeyId}\n`, 2, /is not an access key id/],
      ['one line only', `${KEY.accessKeyId}\n`, 2, /as two lines, the access key id then the secret; it has 1/],
      ['a secret with a space', `${KEY.accessKeyId}\nnot a secret at all, sorry\n`, 2, /secret access key is not 16 to 128 printable characters/],
    ] as const) {
      it(`refuses ${what}: exit ${code}, files as they were, no secret shown`, async () => {
        const before = await files()
        const result = await run(['keys', 'add', '-p', 'ci', '--json'], input)
        assert.equal(result.code, code, result.stderr)
        assert.match(JSON.parse(result.stdout).error.message, said)
        assertNoSecret(result, what)
        assert.deepEqual(await files(), before)
      })
    }

    it('refuses before reading: a source that cannot keep keys, a profile with a key already, a session section, a role', async () => {
      const before = await files()
      const command = await run(['keys', 'add', '-p', 'ci', '--source', 'command', '--source-option', 'command=true'], 'not read\n')
      assert.equal(command.code, 6, command.stderr)
      assert.match(command.stderr, /the credential source command cannot keep keys/)
      const existing = await run(['keys', 'add', '-p', 'work'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)
      assert.equal(existing.code, 6, existing.stderr)
      assert.match(existing.stderr, /already holds a key for work \(AKIA\.\.\.ILE1\)[\s\S]*--force[\s\S]*keys rotate/)
      const moveInstead = await run(['keys', 'add', '-p', 'work', '--source', 'dir'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)
      assert.equal(moveInstead.code, 6, moveInstead.stderr)
      assert.match(moveInstead.stderr, /keys import -p work --source dir/)
      const session = await run(['keys', 'add', '-p', 'work-mfa'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)
      assert.equal(session.code, 6, session.stderr)
      assert.match(session.stderr, /holds session credentials/)
      await fs.writeFile(box.configFile, `${CONFIG}\n[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = work\n`)
      const role = await run(['keys', 'add', '-p', 'admin'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)
      assert.equal(role.code, 6, role.stderr)
      assert.match(role.stderr, /is a role[\s\S]*-p work/)
      await fs.writeFile(box.configFile, `${CONFIG}\n[profile sso]\nsso_session = corp\n`)
      const sso = await run(['keys', 'add', '-p', 'sso'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)
      assert.equal(sso.code, 6, sso.stderr)
      assert.match(sso.stderr, /has sso_session: botocore takes that profile's credentials from there/)
      await fs.writeFile(box.configFile, CONFIG)
      assert.deepEqual(await files(), before)
      assert.deepEqual(await fs.readdir(sourceDir), [])
    })

    it('--force replaces the key the credentials file holds, in place', async () => {
      const result = await run(['keys', 'add', '-p', 'work', '--force'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)
      assert.equal(result.code, 0, result.stderr)
      assert.equal(await box.readCredentials(), CREDENTIALS.replace(FILE_KEY.accessKeyId, KEY.accessKeyId).replace(FILE_KEY.secretAccessKey, KEY.secretAccessKey))
    })
  })

  describe('import', () => {
    const withoutWork = CREDENTIALS.replace(`[work]\r\n; from the console\r\naws_access_key_id = ${FILE_KEY.accessKeyId}\r\naws_secret_access_key = ${FILE_KEY.secretAccessKey}\r\n`, '[work]\r\n; from the console\r\n')
    const configured = `${CONFIG}mfa_creds_source = dir\n`

    it('moves the keys into the source, points the config there, then removes them from the file; a rerun has nothing to do', async () => {
      const result = await run(['keys', 'import', '-p', 'work', '--source', 'dir', '--json'])
      assert.equal(result.code, 0, result.stderr)
      assertNoSecret(result, 'import')
      assert.deepEqual(JSON.parse(result.stdout), {
        accessKeyId: 'AKIA...ILE1', action: 'imported', profile: 'work', source: 'dir',
      })
      assert.deepEqual(await files(), {config: configured, credentials: withoutWork})
      assert.deepEqual([(await kept()).accessKeyId, (await kept()).secretAccessKey], [FILE_KEY.accessKeyId, FILE_KEY.secretAccessKey])
      const again = await run(['keys', 'import', '-p', 'work', '--source', 'dir', '--json'])
      assert.equal(again.code, 0, again.stderr)
      assert.equal(JSON.parse(again.stdout).action, 'already')
      assert.deepEqual(await files(), {config: configured, credentials: withoutWork})
    })

    for (const step of ['read', 'stored', 'verified', 'configured', 'removed'] as const) {
      it(`killed after the step "${step}": the keys are in the file or the source, and a rerun completes`, async () => {
        const said = {
          configured: /the config points at the source/, read: /read the key from the credentials file/, removed: /removed the key from the credentials file/, stored: /the source holds the key/, verified: /read the key back/,
        }[step]
        const {child} = start(['keys', 'import', '-p', 'work', '--source', 'dir'], '', {MFA_CREDS_TEST_PAUSE_AT: step})
        assert.equal((await killWhenSaid(child, said, `the pause at ${step}`)).signal, 'SIGKILL')
        const {config, credentials} = await files()
        const inFile = credentials.includes(FILE_KEY.secretAccessKey)
        const inSource = (await kept())?.secretAccessKey === FILE_KEY.secretAccessKey
        assert.ok(inFile || (inSource && config === configured), `after ${step}: the keys are nowhere usable`)
        assert.equal(inFile, step !== 'removed', `after ${step} the file ${inFile ? 'still has' : 'lost'} the keys`)
        const rerun = await run(['keys', 'import', '-p', 'work', '--source', 'dir'])
        assert.equal(rerun.code, 0, rerun.stderr)
        assert.deepEqual(await files(), {config: configured, credentials: withoutWork})
        assert.equal((await kept()).secretAccessKey, FILE_KEY.secretAccessKey)
      })
    }

    for (const [fail, said] of [
      ['store', /the test directory refuses to keep keys/],
      ['store-after', /failed after keeping the key/],
      ['wrong', /did not give back the key it was given for work \(it gave AKIA\.\.\.ONG0\); the key stays in/],
    ] as const) {
      it(`a source that fails (${fail}): exit 6, the file and the config byte for byte as they were`, async () => {
        const before = await files()
        const result = await run(['keys', 'import', '-p', 'work', '--source', 'dir', '--json'], '', {SOURCE_DIR_FAIL: fail})
        assert.equal(result.code, 6, result.stderr)
        assert.match(JSON.parse(result.stdout).error.message, said)
        assertNoSecret(result, fail)
        assert.deepEqual(await files(), before)
        if (fail === 'wrong') assert.deepEqual(await fs.readdir(sourceDir), [], 'what it stored was not taken back')
      })
    }

    it('refuses another key the source already holds, and the credentials file as a target', async () => {
      await fs.writeFile(path.join(sourceDir, 'work.json'), JSON.stringify(KEY))
      const before = await files()
      const other = await run(['keys', 'import', '-p', 'work', '--source', 'dir'])
      assert.equal(other.code, 6, other.stderr)
      assert.match(other.stderr, /dir already holds another key for work \(AKIA\.\.\.DD01; the file's is AKIA\.\.\.ILE1\)/)
      const file = await run(['keys', 'import', '-p', 'work', '--source', 'credentials-file'])
      assert.equal(file.code, 2, file.stderr)
      const missing = await run(['keys', 'import', '-p', 'nobody', '--source', 'dir'])
      assert.equal(missing.code, 6, missing.stderr)
      assert.match(missing.stderr, /holds no long-term keys to import/)
      assert.deepEqual(await files(), before)
      assert.equal((await kept()).accessKeyId, KEY.accessKeyId)
    })
  })

  describe('list and remove', () => {
    it('lists every profile with keys, masked, with the age a source keeps; never a secret', async () => {
      assert.equal((await run(['keys', 'add', '-p', 'dev', '--source', 'dir'], `${KEY.accessKeyId}\n${KEY.secretAccessKey}\n`)).code, 0)
      await fs.appendFile(box.configFile, '\n[profile gone]\nmfa_creds_source = dir\n')
      const result = await run(['keys', 'list', '--json'])
      assert.equal(result.code, 0, result.stderr)
      assertNoSecret(result, 'list')
      const {keys} = JSON.parse(result.stdout)
      assert.deepEqual(keys.map((k: {accessKeyId?: string; profile: string; source: string}) => [k.profile, k.source, k.accessKeyId]), [
        ['dev', 'dir', 'AKIA...DD01'], ['gone', 'dir', undefined], ['work', 'credentials-file', 'AKIA...ILE1'],
      ])
      assert.match(keys[0].created, /^\d{4}-\d\d-\d\dT/)
      assert.match(keys[1].error, /holds no key for gone/)
      const text = await run(['keys', 'list'])
      assert.match(text.stdout, /dev\tdir\tAKIA\.\.\.DD01 \(0 days old\)/)
      assertNoSecret(text, 'list')
      assert.ok(!text.stdout.includes(KEY.accessKeyId) && !text.stdout.includes(FILE_KEY.accessKeyId), 'an unmasked key id')
    })

    it('remove: refused without a terminal unless --force; then the keys go (and the emptied section)', async () => {
      const before = await files()
      const refused = await run(['keys', 'remove', '-p', 'work'])
      assert.equal(refused.code, 2, refused.stderr)
      assert.match(refused.stderr, /pass --force/)
      assert.deepEqual(await files(), before)
      const none = await run(['keys', 'remove', '-p', 'nobody', '--force'])
      assert.equal(none.code, 6, none.stderr)
      const removed = await run(['keys', 'remove', '-p', 'work', '--force', '--json'])
      assert.equal(removed.code, 0, removed.stderr)
      assert.deepEqual(JSON.parse(removed.stdout), {accessKeyId: 'AKIA...ILE1', profile: 'work', source: 'credentials-file'})
      assert.equal(await box.readCredentials(), CREDENTIALS.replace(`aws_access_key_id = ${FILE_KEY.accessKeyId}\r\naws_secret_access_key = ${FILE_KEY.secretAccessKey}\r\n`, ''))
    })

    it('remove asks on a terminal, and only a yes removes', async () => {
      const no = Terminal.open(`"${process.execPath}" "${BIN}" keys remove -p work`, env())
      await no.waitFor(/Remove the key AKIA\.\.\.ILE1 of work from credentials-file\? .*\[y\/N\] /)
      no.type('n\r')
      assert.equal(await no.exit(), 2, no.output)
      assert.equal(await box.readCredentials(), CREDENTIALS)
      const yes = Terminal.open(`"${process.execPath}" "${BIN}" keys remove -p work`, env())
      await yes.waitFor(/\[y\/N\] /)
      yes.type('y\r')
      assert.equal(await yes.exit(), 0, yes.output)
      assert.ok(!(await box.readCredentials()).includes(FILE_KEY.accessKeyId))
    })
  })
})
