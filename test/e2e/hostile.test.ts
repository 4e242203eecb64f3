import assert from 'node:assert/strict'
import {execFile, spawn} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {StsStub} from '../support/peers.js'
import {
  BIN, collect, DEFAULT_CREDENTIALS, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

const execFileP = promisify(execFile)
const NOBODY = 65_534

interface Hostile {
  args?: string[]
  code: number
  /** Run as nobody (root reads and writes anything), with the sandbox owned by nobody. */
  nobody?: boolean
  /** Makes the hostile thing in the sandbox. */
  prepare: (box: Sandbox) => Promise<void>
  stderr: RegExp
  title: string
}

const BASE = ['refresh-once', '--mfa-serial-number', SERIAL]

const HOSTILE: Hostile[] = [
  {
    code: 6, prepare: box => fs.writeFile(box.credentialsFile, Buffer.from([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x00, 0x00, 0xFF, 0xFE, 0x0A, 0x5B, 0x00, 0x5D])), stderr: /credentials file .* cannot be read/, title: 'binary garbage',
  },
  {
    code: 6,
    async prepare(box) {
      const handle = await fs.open(box.credentialsFile, 'w')
      const chunk = Buffer.alloc(1024 * 1024, 'x')
      for (let i = 0; i < 50; i++) await handle.write(chunk)
      await handle.close()
    },
    stderr: /cannot be read \(line 1: text before the first \[section\] header/,
    title: 'a 50 MB file of one line',
  },
  {
    code: 6, prepare: box => fs.rm(box.credentialsFile).then(() => fs.mkdir(box.credentialsFile)), stderr: /it is a directory/, title: 'a directory where the credentials file should be',
  },
  {
    code: 6, prepare: async box => fs.writeFile(box.configFile, Buffer.from([0, 1, 2, 0xFF, 0x0A])), stderr: /config file .* cannot be read/, title: 'a binary config file',
  },
  {
    code: 6, prepare: box => fs.rm(box.configFile).then(() => fs.mkdir(box.configFile)), stderr: /config\b.*it is a directory/, title: 'a directory where the config file should be',
  },
  {
    code: 6, prepare: async box => fs.mkdir(box.lockFile), stderr: /\.credentials\.lock/, title: 'a lock file that is a directory',
  },
  {
    code: 6,
    async prepare(box) {
      await fs.rm(box.credentialsFile)
      await fs.symlink('credentials.b', box.credentialsFile)
      await fs.symlink('credentials', path.join(box.aws, 'credentials.b'))
    },
    stderr: /symbolic links \(a symlink loop\?\)/,
    title: 'a symlink loop',
  },
  {
    code: 6, prepare: box => fs.rm(box.credentialsFile).then(() => execFileP('mkfifo', [box.credentialsFile])).then(() => {}), stderr: /not a regular file/, title: 'a named pipe where the file should be (no hang)',
  },
  {
    code: 6, prepare: box => fs.rm(box.credentialsFile).then(() => fs.symlink('/dev/zero', box.credentialsFile)), stderr: /not a regular file/, title: 'a symlink to /dev/zero (no endless read)',
  },
  {
    code: 6, nobody: true, prepare: box => fs.chmod(box.credentialsFile, 0o000), stderr: /permission denied/, title: 'a credentials file nobody may read',
  },
  {
    code: 6, nobody: true, prepare: box => fs.chmod(box.configFile, 0o000), stderr: /config.*permission denied/, title: 'a config file nobody may read',
  },
  {
    code: 6, nobody: true, prepare: box => fs.chmod(box.aws, 0o500), stderr: /permission denied/, title: 'a read-only ~/.aws',
  },
  {
    code: 6, nobody: true, prepare: box => fs.chmod(box.credentialsFile, 0o400), stderr: /permission denied/, title: 'a read-only credentials file in a writable directory',
  },
  {
    args: [...BASE, '--target-profile', ' padded'], code: 2, async prepare() {}, stderr: /cannot use " padded" as the target profile: .*white space/, title: 'a target profile name botocore would read without its space',
  },
  {
    args: [...BASE, '--target-profile', 'a\nb'], code: 2, async prepare() {}, stderr: /line breaks/, title: 'a target profile name with a newline',
  },
  {
    args: [...BASE, '-p', 'a\nb'], code: 2, async prepare() {}, stderr: /cannot use "a\\nb-mfa" as the target profile: .*line breaks/, title: 'a source profile name with a newline',
  },
  {
    args: [...BASE, '--duration', '-1'], code: 2, async prepare() {}, stderr: /duration/, title: 'a duration of -1',
  },
  {
    args: [...BASE, '--refresh-lead-time', 'soon'], code: 2, async prepare() {}, stderr: /refresh-lead-time/, title: 'a lead time that is not a number',
  },
  {
    args: ['refresh-once', '--mfa-serial-number', 'arn:aws:iam::123456789012:mfa/alice\n[evil]'], code: 2, async prepare() {}, stderr: /--mfa-serial-number is not usable/, title: 'a serial with a newline and a section header in it',
  },
  {
    code: 6, prepare: box => fs.writeFile(box.configFile, '[default]\nmfa_creds_prompt = ssh-askpass\nregion = us-east-1\n[default]\n'), stderr: /section \[default\] appears twice/, title: 'a config file with a duplicate section',
  },
  {
    code: 6, prepare: box => fs.writeFile(box.credentialsFile, `${DEFAULT_CREDENTIALS}aws_access_key_id = AKIAAGAIN\n`), stderr: /line 4.*appears twice|option .* appears twice/i, title: 'a duplicate key',
  },
  {
    code: 6, prepare: box => fs.writeFile(box.credentialsFile, `${DEFAULT_CREDENTIALS}\n[default-mfa]\naws_access_key_id = A\n  [nested]\n= no key\n`), stderr: /cannot be read/, title: 'a line with no key',
  },
  {
    args: [...BASE, '--target-profile', 'prod'],
    code: 6,
    prepare: box => fs.appendFile(box.credentialsFile, '\n[prod]\naws_access_key_id = AKIAPRODPRODPROD\naws_secret_access_key = prod/secret\n'),
    stderr: /\[prod\] in .* holds long-term keys .*will not overwrite them/,
    title: 'a target profile that holds long-term keys',
  },
  {
    args: [...BASE, '--target-profile', 'prod'],
    code: 6,
    prepare: box => fs.appendFile(box.credentialsFile, '\n[prod]\naws_access_key_id = AKIAPRODPRODPROD\naws_secret_access_key = prod/secret\naws_session_token =\n'),
    stderr: /\[prod\] in .* holds long-term keys/,
    title: 'a target profile with long-term keys and an empty session token (botocore signs with no token)',
  },
  {
    args: ['refresh-once', '-p', 'admin', '--target-profile', 'prod'],
    code: 6,
    async prepare(box) {
      await fs.appendFile(box.credentialsFile, '\n[prod]\naws_access_key_id = AKIAPRODPRODPROD\naws_secret_access_key = prod/secret\n')
      await fs.writeFile(box.configFile, `[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = default\nmfa_serial = ${SERIAL}\n`)
    },
    stderr: /\[prod\] in .* holds long-term keys/,
    title: 'a role\'s target profile that holds long-term keys',
  },
  {
    args: [...BASE, '--target-profile', 'work'],
    code: 6,
    prepare: box => fs.writeFile(box.configFile, '[profile work]\nrole_arn = arn:aws:iam::123456789012:role/work\nsource_profile = default\n'),
    stderr: /\[profile work\] of .* has role_arn, so botocore takes that profile's credentials from there/,
    title: 'a target profile that is a role in the config file',
  },
  {
    args: [...BASE, '--target-profile', 'sso'],
    code: 6,
    prepare: box => fs.writeFile(box.configFile, '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n'),
    stderr: /has sso_session/,
    title: 'a target profile that is an SSO profile in the config file',
  },
  {
    args: [...BASE, '--target-profile', 'shared'],
    code: 6,
    prepare: box => fs.writeFile(box.configFile, '[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = shared\n'),
    stderr: /it is the source_profile of \[profile admin\]/,
    title: 'a target profile that is the source_profile of a role',
  },
  {
    args: [...BASE, '--target-profile', 'keys'],
    code: 6,
    prepare: box => fs.writeFile(box.configFile, '[profile keys]\naws_access_key_id = AKIACONFIGKEYS00\naws_secret_access_key = config/secret\n'),
    stderr: /\[profile keys\] of .* holds long-term keys, which they would shadow/,
    title: 'a target profile with long-term keys in the config file',
  },
  {
    args: [...BASE, '--target-profile', 'work'],
    code: 6,
    prepare: box => fs.appendFile(box.credentialsFile, '\n[work]\nrole_arn = arn:aws:iam::123456789012:role/work\nsource_profile = default\n'),
    stderr: /\[work\] in .* has role_arn: botocore takes that profile's credentials from there/,
    title: 'a target profile that is a role in the credentials file',
  },
  {
    args: [...BASE, '--target-profile', 'auto'],
    code: 6,
    prepare: box => fs.writeFile(box.configFile, '[profile auto]\ncredential_process = mfa-creds credential-process -p default\n'),
    stderr: /has credential_process/,
    title: 'a target profile whose config runs a credential_process',
  },
  {
    code: 6,
    prepare: box => fs.appendFile(box.credentialsFile, '\n[DEFAULT]\nrole_arn = arn:aws:iam::123456789012:role/everyone\nsource_profile = default\n'),
    stderr: /\[default-mfa\] in .* has role_arn/,
    title: 'a role_arn every profile inherits from [DEFAULT] of the credentials file (the target would be a role)',
  },
]

/** The CLI as nobody, in a sandbox nobody owns (root would read and write anything). */
async function runAsNobody(box: Sandbox, args: string[], env: Record<string, string>): Promise<RunResult> {
  return collect(spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', process.execPath, BIN, ...args], {
    cwd: '/', detached: true, env: box.env(env), stdio: ['ignore', 'pipe', 'pipe'],
  }))
}

/**
 * Every path under the sandbox with its bytes (or kind) and mode; the lock file and the state
 * directory, which the protocol creates and never deletes, only when they were there before.
 */
async function tree(dir: string, before?: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await fs.readdir(dir, {recursive: true, withFileTypes: true}).catch(() => [])) {
    const file = path.join(entry.parentPath, entry.name)
    if (before && !(file in before) && /\/(\.credentials\.lock|\.mfa-creds)(\/|$)/.test(file)) continue
    const stat = await fs.lstat(file)
    let content = ''
    if (stat.isFile()) content = stat.size > 1_000_000 ? `${stat.size} bytes` : (await fs.readFile(file).catch(() => Buffer.from('unreadable'))).toString('base64')
    out[file] = `${stat.mode.toString(8)} ${content}`
  }

  return out
}

describe('hostile files and settings: a clear error, a distinct exit code, nothing changed', () => {
  for (const h of HOSTILE) {
    it(`${h.title}: exit ${h.code}`, async function () {
      this.timeout(60_000)
      const box = await Sandbox.create()
      const stub = await StsStub.start()
      try {
        await fs.writeFile(box.configFile, '[default]\nregion = us-east-1\n')
        await h.prepare(box)
        if (h.nobody) await execFileP('chown', ['-R', `${NOBODY}:${NOBODY}`, box.root])
        if (h.nobody) await fs.chmod(box.root, 0o755)
        const before = await tree(box.aws)
        const env = {AWS_ENDPOINT_URL: stub.url}
        const result = h.nobody ? await runAsNobody(box, h.args ?? BASE, env) : await box.run(h.args ?? BASE, env)
        assert.equal(result.code, h.code, result.stderr)
        assert.match(result.stderr, h.stderr)
        assert.ok(!/\n\s+at /.test(result.stderr), 'a stack trace was printed')
        assert.ok(result.stderr.split('\n').length <= 4, `a short message, not a dump:\n${result.stderr.slice(0, 500)}`)
        assert.deepEqual(await tree(box.aws, before), before, 'a file changed')
        assert.equal(stub.requests.length, 0)
        assert.deepEqual(await box.askpassCalls(), [])
      } finally {
        await stub.stop()
        await execFileP('chmod', ['-R', 'u+rwX', box.root]).catch(() => {})
        await box.cleanup()
      }
    })
  }
})

describe('what a failed first run leaves behind', () => {
  for (const [title, prepare] of [
    ['no credentials file', (box: Sandbox) => fs.rm(box.credentialsFile)],
    ['no ~/.aws at all', (box: Sandbox) => fs.rm(box.aws, {force: true, recursive: true})],
  ] as const) {
    it(`${title}: exit 6, and nothing is created (no directory, lock file or state directory)`, async () => {
      const box = await Sandbox.create()
      try {
        await prepare(box)
        const before = await fs.readdir(box.home, {recursive: true})
        const result = await box.run(BASE)
        assert.equal(result.code, 6, result.stderr)
        assert.match(result.stderr, /does not exist/)
        assert.deepEqual(await fs.readdir(box.home, {recursive: true}), before)
        assert.deepEqual(await box.askpassCalls(), [])
      } finally {
        await box.cleanup()
      }
    })
  }
})

describe('an empty session token is no token (as botocore signs)', () => {
  it('takes [default] with long-term keys and an empty aws_session_token as the source: refreshed, exit 0', async () => {
    const box = await Sandbox.create(`${DEFAULT_CREDENTIALS}aws_session_token =\n`)
    const stub = await StsStub.start()
    try {
      const result = await box.run(BASE, {AWS_ENDPOINT_URL: stub.url})
      assert.equal(result.code, 0, result.stderr)
      assert.equal(stub.requests.length, 1)
      assert.match(await box.readCredentials(), /\[default-mfa\]\naws_access_key_id = ASIA/)
    } finally {
      await stub.stop()
      await box.cleanup()
    }
  })
})
