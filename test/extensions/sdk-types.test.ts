/**
 * A TypeScript plugin written against the *published* types of @mfa-creds/sdk: the package as
 * `npm pack` makes it (what `plugins install` would fetch), unpacked into a plugin's
 * node_modules, and checked by the repository's own tsc with strict settings. A plugin that gets
 * the contract wrong does not type-check.
 */
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {ROOT} from '../support/peers.js'

const execFileP = promisify(execFile)
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc')

const TSCONFIG = {
  compilerOptions: {
    exactOptionalPropertyTypes: true,
    lib: ['ES2023'],
    module: 'Node16',
    moduleResolution: 'Node16',
    noEmit: true,
    noImplicitReturns: true,
    noUncheckedIndexedAccess: true,
    // The sdk's own .d.ts are checked too.
    skipLibCheck: false,
    strict: true,
    target: 'ES2022',
    types: ['node'],
  },
  include: ['src/**/*.ts'],
}

const PROVIDER = `import {
  AbortedError, definePromptProvider, ExtensionError, PromptCancelledError, PromptTimedOutError, PromptUnavailableError,
  runInOwnGroup, unknownOptions, type PromptRequest,
} from '@mfa-creds/sdk'

async function ask(request: PromptRequest, options: Record<string, string>): Promise<string> {
  const outcome = await runInOwnGroup('pass', ['otp', options.entry ?? 'aws'], {signal: request.signal, timeoutMs: request.timeoutMs})
  switch (outcome.type) {
    case 'aborted': throw new AbortedError()
    case 'timed-out': throw new PromptTimedOutError('no code in time', 'try again')
    case 'spawn-failed': throw new PromptUnavailableError(\`cannot run pass: \${outcome.error.code ?? outcome.error.message}\`)
    case 'exited': {
      if (outcome.signal) throw new PromptCancelledError(\`pass was ended by \${outcome.signal}\`)
      if (outcome.code !== 0) throw new ExtensionError(\`pass exited \${outcome.code}\`, 'run pass otp yourself')
      return outcome.stdout.trim()
    }
  }
}

export default definePromptProvider({
  ask,
  description: 'pass otp',
  name: 'pass',
  retriesRejectedCodes: false,
  validateOptions: options => unknownOptions(options, ['entry']),
})
`

const WRITER = `import {
  ConfigError, defineCredentialWriter, fromRfc3339, LockTimeoutError, toRfc3339, type TargetState, type WriteResult,
} from '@mfa-creds/sdk'

const files = new Map<string, string>()

export default defineCredentialWriter({
  async check(_target, options) {
    if (!options.path) throw new ConfigError('no path', 'set --writer-option path=...')
  },
  description: 'in memory',
  name: 'memory',
  async read(targetProfile, _options, context): Promise<TargetState> {
    const text = files.get(targetProfile)
    const expiration: Date | undefined = fromRfc3339(text)
    return {expiration, fingerprint: \`\${context.credentialsFile}:\${text ?? ''}\`}
  },
  async write(request, _options, _context): Promise<WriteResult> {
    if (request.lockTimeoutMs === 0) throw new LockTimeoutError('busy')
    request.onLockWait?.('nobody')
    files.set(request.targetProfile, toRfc3339(request.credentials.expiration))
    return {action: 'written', expiration: request.credentials.expiration}
  },
})
`

const SOURCE = `import {
  AbortedError, ConfigError, defineCredentialSource, runInOwnGroup, unknownOptions, type LongTermKeys,
} from '@mfa-creds/sdk'

const kept = new Map<string, LongTermKeys>()

export default defineCredentialSource({
  description: 'keys from vault, kept in memory',
  async get(profile, options, context): Promise<LongTermKeys> {
    const outcome = await runInOwnGroup('vault', ['kv', 'get', options.path ?? profile], {signal: context.signal, timeoutMs: 60_000})
    if (outcome.type === 'aborted') throw new AbortedError()
    const keys = kept.get(profile)
    if (!keys) throw new ConfigError(\`no keys for \${profile} in \${context.credentialsFile}\`, 'add them')
    return keys
  },
  name: 'vault',
  async remove(profile) {
    kept.delete(profile)
  },
  async store(profile, keys) {
    kept.set(profile, {accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey})
  },
  validateOptions: options => unknownOptions(options, ['path']),
})
`

/** A source whose get gives a bare string, not the keys. */
const WRONG_SOURCE = `import {defineCredentialSource} from '@mfa-creds/sdk'

export default defineCredentialSource({
  description: 'wrong',
  get: async () => 'AKIAEXAMPLE',
  name: 'wrong',
})
`

/** `ask` answers a number: the contract says a string. */
const WRONG = `import {definePromptProvider} from '@mfa-creds/sdk'

export default definePromptProvider({
  ask: async () => 123_456,
  description: 'wrong',
  name: 'wrong',
})
`

async function typecheck(dir: string): Promise<{code: number; output: string}> {
  try {
    const {stdout} = await execFileP(TSC, ['-p', dir], {cwd: dir})
    return {code: 0, output: stdout}
  } catch (error) {
    const {code, stderr, stdout} = error as {code: number; stderr: string; stdout: string}
    return {code, output: stdout + stderr}
  }
}

describe('@mfa-creds/sdk: a TypeScript plugin against the published types', () => {
  let root: string

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-sdk-types-'))
    // --ignore-scripts: dist is built (npm run build); prepack would rebuild it under other tests.
    const {stdout} = await execFileP('npm', ['pack', '--ignore-scripts', '--pack-destination', root], {cwd: path.join(ROOT, 'packages', 'sdk')})
    const tarball = path.join(root, stdout.trim().split('\n').at(-1)!)
    const sdk = path.join(root, 'node_modules', '@mfa-creds', 'sdk')
    await fs.mkdir(sdk, {recursive: true})
    await execFileP('tar', ['-xzf', tarball, '-C', sdk, '--strip-components=1'])
    // A plugin written in TypeScript has @types/node among its devDependencies.
    await fs.mkdir(path.join(root, 'node_modules', '@types'))
    await fs.symlink(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(root, 'node_modules', '@types', 'node'))
  })

  after(() => fs.rm(root, {force: true, recursive: true}))

  async function plugin(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(root, name)
    await fs.mkdir(path.join(dir, 'src'), {recursive: true})
    await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({dependencies: {'@mfa-creds/sdk': '^0.1.0'}, name, type: 'module'}))
    await fs.writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG))
    // The plugin's node_modules: the unpacked sdk (and @types/node), nothing of the CLI.
    await fs.symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
    for (const [file, text] of Object.entries(files)) await fs.writeFile(path.join(dir, 'src', file), text)
    return dir
  }

  it('holds only dist (the .js and the .d.ts), its README and licence, and declares no dependencies', async () => {
    const sdk = path.join(root, 'node_modules', '@mfa-creds', 'sdk')
    const manifest = JSON.parse(await fs.readFile(path.join(sdk, 'package.json'), 'utf8'))
    assert.equal(manifest.name, '@mfa-creds/sdk')
    assert.equal(manifest.dependencies, undefined)
    assert.equal(manifest.peerDependencies, undefined)
    assert.deepEqual((await fs.readdir(sdk)).sort(), ['LICENSE', 'README.md', 'dist', 'package.json'])
    const dist = await fs.readdir(path.join(sdk, 'dist'))
    assert.ok(dist.includes('index.js') && dist.includes('index.d.ts'), dist.join(', '))
  })

  it('type-checks a prompt provider, a writer and a credential source written with the builders and the errors', async () => {
    const dir = await plugin('good', {'provider.ts': PROVIDER, 'source.ts': SOURCE, 'writer.ts': WRITER})
    const {code, output} = await typecheck(dir)
    assert.equal(code, 0, output)
  })

  it('refuses a provider whose ask answers a number', async () => {
    const dir = await plugin('wrong', {'provider.ts': WRONG})
    const {code, output} = await typecheck(dir)
    assert.notEqual(code, 0)
    assert.match(output, /src\/provider\.ts\(\d+,\d+\): error TS2322: .*number.*string/s)
  })

  it('refuses a credential source whose get answers a string instead of the keys', async () => {
    const dir = await plugin('wrong-source', {'source.ts': WRONG_SOURCE})
    const {code, output} = await typecheck(dir)
    assert.notEqual(code, 0)
    assert.match(output, /src\/source\.ts\(\d+,\d+\): error TS2322: .*string.*LongTermKeys/s)
  })
})
