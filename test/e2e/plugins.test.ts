import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {botocoreCreds, getMoto, ROOT} from '../support/peers.js'
import {Sandbox, SERIAL} from '../support/sandbox.js'

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'plugins')
const execFileP = promisify(execFile)

/**
 * `npm pack DIR` into `into`, without its scripts: dist is built already (npm run build), and
 * the sdk's prepack would rebuild it under the feet of tests running beside this one.
 */
async function pack(dir: string, into: string): Promise<string> {
  const {stdout} = await execFileP('npm', ['pack', '--ignore-scripts', '--pack-destination', into], {cwd: dir})
  return path.join(into, stdout.trim().split('\n').at(-1)!)
}

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
    const {promptProviders, sources, writers} = JSON.parse(result.stdout)
    const offers = (list: Array<{name: string; plugin: string}>) => list.map(p => [p.name, p.plugin])
    assert.deepEqual(offers(promptProviders), ['kdialog', 'osascript', 'ssh-askpass', 'stdin', 'tty', 'zenity'].map(name => [name, 'mfa-creds']))
    assert.deepEqual(offers(writers), [['credentials-file', 'mfa-creds']])
    assert.deepEqual(offers(sources), [['command', 'mfa-creds'], ['credentials-file', 'mfa-creds'], ['keyring', 'mfa-creds']])
    assert.deepEqual(sources.map((s: {stores: boolean}) => s.stores), [false, true, true], 'which keep keys')
    const text = await box.run(['providers'], env)
    assert.match(text.stdout, /^SOURCE\s+PLUGIN\s+DESCRIPTION$/m)
    assert.match(text.stdout, /^command\s+mfa-creds\s+runs a command .*; gives keys, does not keep them$/m)
    assert.match(text.stdout, /^keyring\s+mfa-creds\s+the OS keyring(?:(?!does not keep).)*$/m)
  })

  it('refuses two plugins offering one name, naming both', async () => {
    assert.equal((await box.link(path.join(FIXTURES, 'dup-tty'), env)).code, 0)
    const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL], env)
    assert.equal(result.code, 6)
    assert.match(result.stderr, /two plugins offer the prompt provider "tty": mfa-creds and mfa-creds-fixture-dup-tty|two plugins offer the prompt provider "tty": mfa-creds-fixture-dup-tty and mfa-creds/)
    assert.deepEqual(await box.askpassCalls(), [])
  })

  it('reports a plugin whose hook fails, by name, instead of swallowing it', async () => {
    assert.equal((await box.link(path.join(FIXTURES, 'broken'), env)).code, 0)
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
    {args: ['--source', 'pass'], dir: 'source-pass', fake: ['pass', 'fake-pass.sh']},
  ]

  /**
   * Offline, with no registry to fetch @mfa-creds/sdk from: the sdk is packed too, and each plugin
   * is packed from a copy whose dependency on it points at that tarball (`file:`).
   */
  let packs: string
  let sdkTarball: string

  before(async () => {
    packs = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-packs-'))
    sdkTarball = await pack(path.join(ROOT, 'packages', 'sdk'), packs)
  })

  after(() => fs.rm(packs, {force: true, recursive: true}))

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
          AWS_ENDPOINT_URL: (await getMoto()).url, FAKE_OP_LOG: log, FAKE_PASS_LOG: log, FAKE_YK_LOG: log, MFA_CREDS_DATA_DIR: path.join(box.root, 'data'), PATH: `${bin}:${process.env.PATH}`,
        }
        // What the package ships: its manifest, README and hooks (package.json "files").
        const copy = path.join(box.root, 'package')
        await fs.mkdir(path.join(copy, 'hooks'), {recursive: true})
        for (const file of ['package.json', 'README.md', ...(await fs.readdir(path.join(dir, 'hooks'))).map(f => path.join('hooks', f))]) {
          await fs.copyFile(path.join(dir, file), path.join(copy, file))
        }

        const manifest = JSON.parse(await fs.readFile(path.join(copy, 'package.json'), 'utf8'))
        assert.equal(manifest.dependencies['@mfa-creds/sdk'], '^0.1.0')
        assert.deepEqual(Object.keys(manifest.dependencies), ['@mfa-creds/sdk'], 'the sdk is a plugin\'s one dependency')
        manifest.dependencies['@mfa-creds/sdk'] = `file:${sdkTarball}`
        await fs.writeFile(path.join(copy, 'package.json'), JSON.stringify(manifest, null, 2))
        const tarball = await pack(copy, box.root)
        const installed = await box.run(['plugins', 'install', `file://${tarball}`], env)
        assert.equal(installed.code, 0, installed.stderr)
        // The plugin brought the sdk and nothing heavy: no second CLI, no AWS SDK.
        const modules = path.join(env.MFA_CREDS_DATA_DIR, 'node_modules')
        const sdk = JSON.parse(await fs.readFile(path.join(modules, '@mfa-creds', 'sdk', 'package.json'), 'utf8'))
        assert.equal(sdk.version, '0.1.0')
        const present = await fs.readdir(modules)
        assert.ok(!present.includes('mfa-creds'), `mfa-creds was installed beside the plugin: ${present.join(', ')}`)
        assert.ok(!present.includes('@aws-sdk'), `the AWS SDK was installed beside the plugin: ${present.join(', ')}`)
        const listed = await box.run(['plugins'], env)
        assert.match(listed.stdout, new RegExp(`mfa-creds-${plugin.dir} 0\\.1\\.0`))
        const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, ...plugin.args], env)
        assert.equal(result.code, 0, result.stderr)
        const wrote = plugin.dir.startsWith('writer')
          ? await fs.readFile(path.join(box.home, 'default-mfa.env'), 'utf8')
          : (await botocoreCreds(box.credentialsFile, 'default-mfa'))?.token
        assert.ok(wrote, 'nothing was written')
        if (plugin.dir === 'source-pass') assert.equal(await fs.readFile(log, 'utf8'), 'show -- aws/default\n', 'the keys did not come from pass')
        const removed = await box.run(['plugins', 'uninstall', `mfa-creds-${plugin.dir}`], env)
        assert.equal(removed.code, 0, removed.stderr)
      } finally {
        await box.cleanup()
      }
    })
  }
})
