import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {botocoreCreds, getMoto, ROOT} from '../support/peers.js'
import {Sandbox, SERIAL} from '../support/sandbox.js'

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'plugins')
const execFileP = promisify(execFile)

describe('plugins: the prompt-provider extension point', () => {
  let box: Sandbox
  let env: Record<string, string>

  beforeEach(async () => {
    box = await Sandbox.create()
    env = {MFA_CREDS_DATA_DIR: path.join(box.root, 'data')}
  })

  afterEach(() => box.cleanup())

  it('lists the built-in providers, registered through the same hooks', async () => {
    const result = await box.run(['providers', '--json'], env)
    assert.equal(result.code, 0, result.stderr)
    const {promptProviders} = JSON.parse(result.stdout)
    assert.deepEqual(promptProviders.map((p: {name: string; plugin: string}) => [p.name, p.plugin]), [['ssh-askpass', 'mfa-creds'], ['tty', 'mfa-creds']])
  })

  it('refuses two plugins offering one name, naming both', async () => {
    assert.equal((await box.run(['plugins', 'link', path.join(FIXTURES, 'dup-tty')], env)).code, 0)
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], env)
    assert.equal(result.code, 6)
    assert.match(result.stderr, /two plugins offer the prompt provider "tty": mfa-creds and mfa-creds-fixture-dup-tty|two plugins offer the prompt provider "tty": mfa-creds-fixture-dup-tty and mfa-creds/)
    assert.deepEqual(await box.askpassCalls(), [])
  })

  it('reports a plugin whose hook fails, by name, instead of swallowing it', async () => {
    assert.equal((await box.run(['plugins', 'link', path.join(FIXTURES, 'broken')], env)).code, 0)
    const result = await box.run(['providers'], env)
    assert.equal(result.code, 6)
    assert.match(result.stderr, /the plugin mfa-creds-fixture-broken failed in its prompt provider hook: the vault is sealed/)
  })
})

describe('plugins in this repository: packed, installed offline, used', () => {
  /** Each plugin, how to use it, and which fake program (from its tests) stands in for its tool. */
  const PLUGINS = [
    {args: ['--prompt', 'command', '--prompt-option', 'command=echo 246801'], dir: 'prompt-command'},
    {args: ['--prompt', '1password', '--prompt-option', 'item=AWS'], dir: 'prompt-1password', fake: ['op', 'fake-op.sh']},
    {args: ['--prompt', 'ykman', '--prompt-option', 'account=AWS:alice'], dir: 'prompt-ykman', fake: ['ykman', 'fake-ykman.sh']},
    {args: ['--writer', 'env-file', '--writer-option', 'path=~/default-mfa.env'], dir: 'writer-env-file'},
  ]

  it('each plugin that runs a program ships the shared process-group runner (plugins/shared/own-group.js) unchanged', async () => {
    const shared = await fs.readFile(path.join(ROOT, 'plugins', 'shared', 'own-group.js'), 'utf8')
    for (const dir of ['prompt-1password', 'prompt-command', 'prompt-ykman']) {
      const copy = await fs.readFile(path.join(ROOT, 'plugins', dir, 'lib', 'own-group.js'), 'utf8').catch(() => '')
      assert.ok(copy === shared, `plugins/${dir}/lib/own-group.js differs from plugins/shared/own-group.js: run node plugins/shared/sync.mjs`)
      const pkg = JSON.parse(await fs.readFile(path.join(ROOT, 'plugins', dir, 'package.json'), 'utf8'))
      assert.ok(pkg.files.includes('/lib'), `plugins/${dir} does not pack lib/`)
    }
  })

  for (const plugin of PLUGINS) {
    it(`${plugin.dir}: npm pack, mfa-creds plugins install file://...tgz, refresh-once`, async () => {
      const box = await Sandbox.create()
      try {
        const dir = path.join(ROOT, 'plugins', plugin.dir)
        const bin = path.join(box.root, 'bin')
        await fs.mkdir(bin)
        const log = path.join(box.root, 'fake.log')
        if (plugin.fake) await fs.copyFile(path.join(dir, 'test', plugin.fake[1]), path.join(bin, plugin.fake[0]))
        const env = {
          AWS_ENDPOINT_URL: (await getMoto()).url, FAKE_OP_LOG: log, FAKE_YK_LOG: log, MFA_CREDS_DATA_DIR: path.join(box.root, 'data'), PATH: `${bin}:${process.env.PATH}`,
        }
        const {stdout} = await execFileP('npm', ['pack', '--pack-destination', box.root], {cwd: dir})
        const tarball = path.join(box.root, stdout.trim().split('\n').at(-1)!)
        const installed = await box.run(['plugins', 'install', `file://${tarball}`], env)
        assert.equal(installed.code, 0, installed.stderr)
        const listed = await box.run(['plugins'], env)
        assert.match(listed.stdout, new RegExp(`mfa-creds-${plugin.dir} 0\\.1\\.0`))
        const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, ...plugin.args], env)
        assert.equal(result.code, 0, result.stderr)
        const wrote = plugin.dir.startsWith('writer')
          ? await fs.readFile(path.join(box.home, 'default-mfa.env'), 'utf8')
          : (await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token
        assert.ok(wrote, 'nothing was written')
        const removed = await box.run(['plugins', 'uninstall', `mfa-creds-${plugin.dir}`], env)
        assert.equal(removed.code, 0, removed.stderr)
      } finally {
        await box.cleanup()
      }
    })
  }
})
