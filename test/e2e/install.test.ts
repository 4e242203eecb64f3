/**
 * What a user gets from `npm install -g mfa-creds` on a fresh machine: the packed CLI (npm pack,
 * as published) installs into a temp prefix with no compiler and no Python on PATH, from the
 * registry alone, on each Node major the package supports, and then runs: --version, lock (libc
 * through koffi's prebuilt binary) and a refresh against moto_server.
 *
 * npm is this machine's (Node's registry packages ship no npm), run with the Node under test, so
 * npm, the packages' install scripts and the installed `mfa-creds` all run on that Node. Its
 * configuration files are named explicitly because the child's HOME is a temp one (without them
 * npm cannot reach the registry here: they hold the cafile).
 */
import assert from 'node:assert/strict'
import {execFile, spawn} from 'node:child_process'
import {promises as fs, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {
  getMachineNpm, MachineNpm, nodeBinDir, npmEnv, onPath, runProgram,
} from '../support/node-binary.js'
import {
  botocoreCreds, getMoto, Moto, ROOT, tryLock, waitFor,
} from '../support/peers.js'
import {collect, RunResult, Sandbox} from '../support/sandbox.js'

const execFileP = promisify(execFile)
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {version: string}).version
const MAJORS = [20, 22, 24]
/** Everything on the install's PATH besides node: a shell and the basic tools scripts use. */
const TOOLS = ['sh', 'env', 'cat', 'cp', 'mv', 'rm', 'mkdir', 'ln', 'chmod', 'ls', 'sed', 'grep', 'uname', 'dirname', 'basename', 'tr', 'head', 'tail', 'date', 'sleep', 'touch', 'true', 'false']
/** What compiling a native addon would take (node-gyp: a C/C++ compiler, make, Python). */
const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'cmake', 'python3', 'python']
const SERIAL = 'arn:aws:iam::123456789012:mfa/x'
const INSTALL_TIMEOUT = 300_000

async function exists(file: string): Promise<true | undefined> {
  try {
    await fs.access(file)
    return true
  } catch {}
}

describe('npm install -g of the packed CLI, with no compiler, on each Node major', function () {
  this.timeout(INSTALL_TIMEOUT + 60_000)
  let root: string
  let tarball: string
  let npm: MachineNpm
  let moto: Moto

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-install-'))
    npm = await getMachineNpm()
    moto = await getMoto()
    const home = path.join(root, 'ping-home')
    await fs.mkdir(home)
    const ping = await runProgram(process.execPath, [npm.cli, 'ping'], {
      env: npmEnv(npm, {cache: path.join(root, 'npm-cache'), HOME: home, PATH: process.env.PATH ?? ''}),
      timeoutMs: 60_000,
      what: `npm ping (reaching ${npm.registry} with ${npm.globalconfig} and ${npm.userconfig})`,
    })
    assert.equal(ping.code, 0, `the registry ${npm.registry} cannot be reached the way npm reaches it here (globalconfig ${npm.globalconfig}, userconfig ${npm.userconfig}):\n${ping.stderr}`)
    // dist is what `npm test` built; prepack would rebuild it under the other suites' feet.
    const packed = await runProgram(process.execPath, [npm.cli, 'pack', '--ignore-scripts', '--json', '--pack-destination', root], {
      cwd: ROOT, env: process.env, timeoutMs: 120_000, what: 'npm pack',
    })
    assert.equal(packed.code, 0, packed.stderr)
    tarball = path.join(root, (JSON.parse(packed.stdout) as Array<{filename: string}>)[0].filename)
  })

  after(async () => {
    if (root) await fs.rm(root, {force: true, recursive: true})
  })

  it('packs the built CLI with @mfa-creds/sdk bundled, and no sources or tests', async () => {
    const {stdout} = await execFileP('tar', ['-tzf', tarball])
    const files = stdout.trim().split('\n').map(f => f.replace(/^package\//, ''))
    for (const file of ['bin/run.js', 'dist/index.js', 'oclif.manifest.json', 'node_modules/@mfa-creds/sdk/package.json', 'node_modules/@mfa-creds/sdk/dist/index.js']) {
      assert.ok(files.includes(file), `${file} is not in the tarball`)
    }

    const sources = files.filter(f => /^(src|test|packages|plugins)\/|(^|\/)src\/|\.test\.|^tsconfig/.test(f))
    assert.deepEqual(sources, [], 'sources or tests in the tarball')
  })

  for (const major of MAJORS) {
    describe(`on Node ${major}`, () => {
      let dir: string
      let bin: string
      let prefix: string
      let nodeVersion: string
      let installed = false

      /** The installed mfa-creds, found on a PATH of the prefix's bin and the compiler-free tools. */
      async function mfaCreds(box: Sandbox, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
        assert.ok(installed, `mfa-creds is not installed on Node ${major} (see the install test)`)
        return collect(spawn('mfa-creds', args, {
          cwd: box.root, detached: true, env: box.env({PATH: `${path.join(prefix, 'bin')}:${bin}`, ...env}), stdio: ['ignore', 'pipe', 'pipe'],
        }))
      }

      it('installs from the registry alone, with no compiler or Python on PATH', async () => {
        const node = path.join(await nodeBinDir(major), 'node')
        nodeVersion = (await execFileP(node, ['--version'])).stdout.trim()
        assert.match(nodeVersion, new RegExp(`^v${major}\\.`))

        dir = path.join(root, `node${major}`)
        bin = path.join(dir, 'bin')
        prefix = path.join(dir, 'prefix')
        await fs.mkdir(bin, {recursive: true})
        await fs.mkdir(path.join(dir, 'home'))
        await fs.symlink(node, path.join(bin, 'node'))
        for (const tool of TOOLS) {
          const found = onPath(tool, process.env.PATH ?? '')
          assert.ok(found, `${tool} is not on this machine's PATH`)
          await fs.symlink(found, path.join(bin, tool))
        }

        // What a script run by npm would find: our node, and none of the compilers.
        const looked = await execFileP('/bin/sh', ['-c', `for t in node ${COMPILERS.join(' ')}; do command -v "$t" || true; done`], {env: {PATH: bin}})
        assert.deepEqual(looked.stdout.trim().split('\n'), [path.join(bin, 'node')], 'the install PATH offers more than node')

        const install = await runProgram(node, [npm.cli, 'install', '-g', '--prefix', prefix, '--loglevel', 'http', tarball], {
          cwd: dir,
          env: npmEnv(npm, {cache: path.join(root, 'npm-cache'), HOME: path.join(dir, 'home'), PATH: bin}),
          timeoutMs: INSTALL_TIMEOUT,
          what: `npm install -g on Node ${major}`,
        })
        assert.equal(install.code, 0, `npm install -g failed on Node ${major}:\n${install.stderr}`)

        // Every request npm made went to the registry.
        const fetched = [...install.stderr.matchAll(/^npm http fetch \S+ \S+ (\S+)/gm)].map(m => m[1])
        assert.ok(fetched.length > 0, `npm logged no fetches:\n${install.stderr}`)
        assert.deepEqual(fetched.filter(url => !url.startsWith(npm.registry)), [], `npm fetched from elsewhere than ${npm.registry}`)
        installed = true
      })

      it('mfa-creds --version names the CLI and this Node, and nothing else', async () => {
        const box = await Sandbox.create()
        try {
          const result = await mfaCreds(box, ['--version'])
          assert.equal(result.code, 0, result.stderr)
          assert.equal(result.stdout, `mfa-creds/${VERSION} linux-x64 node-${nodeVersion}\n`)
          assert.equal(result.stderr, '')
        } finally {
          await box.cleanup()
        }
      })

      it('lock -- true exits 0; a command run by lock holds both locks (flock and fcntl)', async () => {
        const box = await Sandbox.create()
        try {
          const result = await mfaCreds(box, ['lock', '--', 'true'])
          assert.deepEqual([result.code, result.stderr], [0, ''])

          const held = path.join(box.root, 'held')
          const release = path.join(box.root, 'release')
          const locked = mfaCreds(box, ['lock', '--', 'sh', '-c', `touch '${held}'; while [ ! -e '${release}' ]; do sleep 0.05; done`])
          await waitFor(() => exists(held), 30_000, 'the locked command to start')
          assert.equal(await tryLock(box.lockFile, 'flock'), 'busy')
          assert.equal(await tryLock(box.lockFile, 'lockf'), 'busy')
          await fs.writeFile(release, '')
          const done = await locked
          assert.deepEqual([done.code, done.stderr], [0, ''])
          assert.equal(await tryLock(box.lockFile, 'flock'), 'free')
        } finally {
          await box.cleanup()
        }
      })

      it('refresh-once writes [default-mfa] with the keys moto_server returned', async () => {
        const box = await Sandbox.create()
        try {
          const result = await mfaCreds(box, ['refresh-once', '--mfa-serial-number', SERIAL], {AWS_ENDPOINT_URL: moto.url})
          assert.equal(result.code, 0, result.stderr)
          assert.doesNotMatch(result.stderr, /warning/i)
          assert.deepEqual(await box.askpassCalls(), [`Enter MFA token for default from device ${SERIAL}`])
          const keys = await moto.sessionKeys()
          assert.deepEqual(await botocoreCreds(box.credentialsFile, 'default-mfa'), {
            access_key: keys.AccessKeyId, method: 'shared-credentials-file', secret_key: keys.SecretAccessKey, token: keys.SessionToken,
          })
        } finally {
          await box.cleanup()
        }
      })
    })
  }
})
