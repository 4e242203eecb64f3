/**
 * The fast entry (src/fast): the hot commands answered without oclif, with the very output, exit
 * status and files oclif's commands give; everything it cannot answer so goes to oclif.
 */
import {Config} from '@oclif/core'
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {builtInHooks} from '../../src/fast/hooks.js'
import {
  ROOT, StsStub, waitFor,
} from '../support/peers.js'
import {
  BIN, collect, DEFAULT_CREDENTIALS, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'plugins')
const HOUR = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')
/** Output with the time left (which moves between two runs) written as T. */
const steady = (text: string) => text.replaceAll(/"secondsLeft": -?\d+/g, '"secondsLeft": T').replaceAll(/\b(\d+d \d+h|\d+h \d+m|\d+m \d+s|\d+s)\b/g, 'T')

interface Traced extends RunResult {
  /** oclif's core was imported: oclif answered. */
  oclif: boolean
}

/** Runs the CLI with the import recorder; `oclif: true` says oclif answered. */
async function traced(box: Sandbox, args: string[], env: Record<string, string | undefined> = {}): Promise<Traced> {
  const {modules, result} = await box.runLogged(args, env)
  return {...result, oclif: modules.some(m => m.includes('/@oclif/core/'))}
}

const FRESH = `${DEFAULT_CREDENTIALS}
[default-mfa]
aws_access_key_id = ASIAFRESH
aws_secret_access_key = fresh/secret
aws_session_token = fresh+token==
expiration = ${iso(Date.now() + (6 * HOUR))}
`
const CONFIG = `[default]\nregion = us-east-1\nmfa_serial = ${SERIAL}\n`

describe('the fast entry', () => {
  let box: Sandbox

  beforeEach(async () => {
    box = await Sandbox.create(FRESH)
    await fs.writeFile(box.configFile, CONFIG)
  })

  afterEach(() => box.cleanup())

  it('answers status, lock, export, credential-process, refresh-once (fresh) and --version without loading oclif', async () => {
    const hot = [
      ['--version'],
      ['status'],
      ['status', '--json', '-p', 'default'],
      ['lock', '--', 'true'],
      ['lock', '--timeout', '5', '--', 'sh', '-c', 'exit 0'],
      ['export'],
      ['export', '--format=json', '--profile', 'default'],
      ['credential-process', '-p', 'default'],
      ['refresh-once'],
      ['refresh-once', '--json', '--refresh-lead-time', '600'],
    ]
    for (const args of hot) {
      const result = await traced(box, args)
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
      assert.equal(result.oclif, false, `${args.join(' ')} loaded oclif`)
    }

    // The recorder sees oclif when it answers: help is its.
    const help = await traced(box, ['status', '--help'])
    assert.equal(help.oclif, true)
    assert.match(help.stdout, /USAGE/)
  })

  it('runs watch without oclif, all day (its suites run through both paths in CI)', async () => {
    const record = path.join(box.root, 'watch-modules.log')
    const child = box.start(['watch', '-p', 'default'], box.moduleLogEnv(record))
    const ended = collect(child)
    let stderr = ''
    child.stderr!.on('data', c => {
      stderr += c
    })
    await waitFor(() => /next prompt at/.test(stderr) || undefined, 30_000, 'watch to start')
    child.kill('SIGTERM')
    const result = await ended
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /\[default-mfa\] stopped/)
    assert.ok(!(await fs.readFile(record, 'utf8')).includes('@oclif/core'), 'oclif was loaded')
  })

  it('gives the same output, exit status and files as oclif, for results and for failures', async () => {
    const stub = await StsStub.start(StsStub.success({
      accessKeyId: 'ASIASTUB', expiration: new Date(Date.now() + (2 * HOUR)), secretAccessKey: 'stub/secret', sessionToken: 'stub+token==',
    }))
    const answers = path.join(box.root, 'answers')
    await fs.writeFile(answers, '123456\n'.repeat(40))
    const env = {ASKPASS_CODES: answers, AWS_ENDPOINT_URL: stub.url}
    const expired = `${DEFAULT_CREDENTIALS}\n[default-mfa]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old==\nexpiration = 2020-01-01T00:00:00Z\n`
    // `fast`: the fast entry must be the one that answers (the rest may be oclif's on both runs).
    const cases: Array<{args: string[]; credentials?: string; fast?: true}> = [
      {args: ['--version'], fast: true},
      {args: ['status'], fast: true},
      {args: ['status', '--json'], fast: true},
      {args: ['status', '-p', 'nobody'], fast: true},
      {args: ['status', '-p', 'nobody', '--json'], fast: true},
      {args: ['status'], credentials: expired, fast: true},
      {args: ['status', '--refresh-lead-time=-1']},
      {args: ['status', '--bogus']},
      {args: ['status', 'extra']},
      {args: ['export', '--format', 'powershell'], fast: true},
      {args: ['export', '--format', 'yaml']},
      {args: ['export', '-p', 'work'], fast: true},
      {args: ['export'], credentials: expired, fast: true},
      {args: ['lock', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], fast: true},
      {args: ['lock', '--', '/nonexistent/program'], fast: true},
      {args: ['lock']},
      {args: ['lock', '--timeout', 'soon', '--', 'true']},
      {args: ['credential-process'], fast: true},
      {args: ['credential-process', '--prompt', 'nothing-such'], fast: true},
      {args: ['credential-process', '--duration', '60']},
      {args: ['credential-process'], credentials: expired, fast: true},
      {args: ['credential-process', '--writer', 'env-file'], fast: true},
      {args: ['refresh-once'], fast: true},
      {args: ['refresh-once', '--force', '--json'], fast: true},
      {args: ['refresh-once', '--force', '--duration', '3600', '--prompt-option', 'x=1'], fast: true},
      {args: ['refresh-once', '--json'], credentials: expired, fast: true},
      {args: ['refresh-once', '--source', 'command'], fast: true},
      {args: ['refresh-once', '--profile']},
      {args: ['refresh-once', '--no-session', '--role-arn', 'arn:aws:iam::123456789012:role/r', '--target-profile', 'r-mfa', '--force'], fast: true},
    ]
    try {
      for (const {args, credentials = FRESH, fast: mustBeFast} of cases) {
        const outcomes = []
        for (const fast of ['1', '0']) {
          await fs.writeFile(box.credentialsFile, credentials)
          const result = await traced(box, args, {...env, MFA_CREDS_FAST: fast})
          outcomes.push({
            code: result.code, credentials: await box.readCredentials(), oclif: result.oclif, stderr: steady(result.stderr), stdout: steady(result.stdout),
          })
        }

        const [viaFast, viaOclif] = outcomes
        assert.equal(viaOclif.oclif, true, `${args.join(' ')}: MFA_CREDS_FAST=0 went through oclif`)
        if (mustBeFast) assert.equal(viaFast.oclif, false, `${args.join(' ')}: the fast entry answered`)
        const same = (o: typeof viaFast) => ({...o, oclif: undefined})
        assert.deepEqual(same(viaFast), same(viaOclif), `${args.join(' ')} (${viaFast.oclif ? 'oclif answered both' : 'fast'})`)
      }
    } finally {
      await stub.stop()
    }
  })

  it('leaves to oclif what it cannot answer as oclif would', async () => {
    const declined: Array<{args: string[]; env?: Record<string, string>}> = [
      {args: ['status', '--help']},
      {args: ['status', '--bogus']},
      {args: ['status', '-p']},
      {args: ['status', '--refresh-lead-time', 'x']},
      {args: ['status', '-p', 'a', '-p', 'b']},
      {args: ['lock', 'true']},
      {args: ['export', '--format', 'yaml']},
      {args: ['providers']},
      {args: ['status'], env: {DEBUG: 'nothing'}},
      {args: ['status'], env: {MFA_CREDS_FAST: '0'}},
      {args: ['status'], env: {MFA_CREDS_CONTENT_TYPE: 'json'}},
    ]
    // A theme for oclif's --json output, in its config dir.
    const config = path.join(box.root, 'xdg-config')
    await fs.mkdir(path.join(config, 'mfa-creds'), {recursive: true})
    await fs.writeFile(path.join(config, 'mfa-creds', 'theme.json'), '{"json": {"key": "cyan"}}\n')
    declined.push({args: ['status', '--json'], env: {XDG_CONFIG_HOME: config}})
    for (const {args, env = {}} of declined) {
      const result = await traced(box, args, env)
      assert.equal(result.oclif, true, `${args.join(' ')} ${JSON.stringify(env)} should go through oclif`)
    }
  })

  it('sends a command through oclif when an installed plugin takes part in it', async () => {
    const data = {MFA_CREDS_DATA_DIR: path.join(box.root, 'data')}
    // A plugin with an init hook runs before every command: only oclif runs it.
    assert.equal((await box.link(path.join(FIXTURES, 'init-hook'), data)).code, 0)
    for (const args of [['status'], ['export'], ['lock', '--', 'true']]) {
      const result = await traced(box, args, data)
      assert.equal(result.oclif, true, args.join(' '))
      assert.match(result.stderr, /fixture init hook ran/)
    }

    // A plugin that offers a prompt provider takes part in refresh-once and credential-process
    // (here it offers tty a second time, which oclif reports); status and export stay fast.
    const other = {MFA_CREDS_DATA_DIR: path.join(box.root, 'data2')}
    assert.equal((await box.link(path.join(FIXTURES, 'dup-tty'), other)).code, 0)
    for (const args of [['refresh-once'], ['credential-process']]) {
      const result = await traced(box, args, other)
      assert.equal(result.oclif, true, args.join(' '))
      assert.equal(result.code, 6, result.stderr)
      assert.match(result.stderr, /two plugins offer the prompt provider "tty"/)
    }

    for (const args of [['status'], ['export']]) {
      const result = await traced(box, args, other)
      assert.deepEqual([result.code, result.oclif], [0, false], args.join(' '))
    }
  })

  it('treats output into a closed pipe as oclif does: no error, exit 0', async () => {
    // Enough profiles that status --json fills the pipe, so the write meets the closed end.
    const many = Array.from({length: 1500}, (_, i) => `[p${i}-mfa]\naws_access_key_id = ASIA${i}\naws_secret_access_key = s\naws_session_token = t\nexpiration = ${iso(Date.now() + HOUR)}\n`).join('\n')
    await fs.writeFile(box.credentialsFile, `${FRESH}\n${many}`)
    for (const args of [['status', '--json'], ['status'], ['export'], ['--version']]) {
      for (const fast of ['1', '0']) {
        const child = spawn('bash', ['-c', `"$NODE" "$BIN" ${args.join(' ')} | true; echo "rc=\${PIPESTATUS[0]}"`], {
          cwd: box.root, env: box.env({BIN, MFA_CREDS_FAST: fast, NODE: process.execPath}), stdio: ['ignore', 'pipe', 'pipe'],
        })
        const result = await collect(child)
        assert.deepEqual([result.stdout.trim(), result.stderr], ['rc=0', ''], `${args.join(' ')} (MFA_CREDS_FAST=${fast})`)
      }
    }
  })

  it('keeps MFA_CREDS_REDIRECTED from the programs it starts, as oclif does', async () => {
    for (const fast of ['1', '0']) {
      // eslint-disable-next-line no-template-curly-in-string -- sh expands it, in the child
      const result = await traced(box, ['lock', '--', 'sh', '-c', 'echo "${MFA_CREDS_REDIRECTED-unset}"'], {MFA_CREDS_FAST: fast, MFA_CREDS_REDIRECTED: '1'})
      assert.deepEqual([result.code, result.stdout, result.oclif], [0, 'unset\n', fast === '0'])
    }
  })

  it('leaves --version to oclif when a plugin runs hooks, and a plugin configured outside package.json', async () => {
    const data = {MFA_CREDS_DATA_DIR: path.join(box.root, 'data')}
    assert.equal((await box.link(path.join(FIXTURES, 'init-hook'), data)).code, 0)
    const version = await traced(box, ['--version'], data)
    assert.equal(version.oclif, true)
    assert.match(version.stderr, /fixture init hook ran/)

    // oclif reads a plugin's settings from .oclifrc.json when its package.json has none.
    const rc = path.join(box.root, 'rc-plugin')
    await fs.mkdir(rc)
    await fs.writeFile(path.join(rc, 'package.json'), '{"name": "mfa-creds-fixture-rc", "version": "0.0.1", "type": "module"}\n')
    await fs.writeFile(path.join(rc, '.oclifrc.json'), '{"hooks": {"prerun": "./prerun.js"}}\n')
    await fs.writeFile(path.join(rc, 'prerun.js'), "export default async function prerun() {\n  process.stderr.write('rc prerun hook ran\\n')\n}\n")
    const other = {MFA_CREDS_DATA_DIR: path.join(box.root, 'data-rc')}
    assert.equal((await box.link(rc, other)).code, 0)
    const status = await traced(box, ['status'], other)
    assert.deepEqual([status.code, status.oclif], [0, true])
    assert.match(status.stderr, /rc prerun hook ran/)
  })

  it('discovers the built-in providers, writer and sources as oclif does, in its order', async () => {
    const config = await Config.load({root: ROOT, userPlugins: false})
    const fast = builtInHooks(config.name)
    for (const event of ['mfa-creds:prompt-providers', 'mfa-creds:writers', 'mfa-creds:sources']) {
      const viaOclif = await config.runHook(event as never, {type: 'discover'} as never, undefined, true)
      const viaFast = await fast.runHook(event as never, {type: 'discover'} as never, undefined, true)
      const view = (r: typeof viaOclif) => ({failures: r.failures.length, successes: r.successes.map(s => ({plugin: s.plugin.name, result: s.result}))})
      assert.ok(viaOclif.successes.length > 0, event)
      assert.deepEqual(view(viaFast), view(viaOclif), event)
    }
  })
})
