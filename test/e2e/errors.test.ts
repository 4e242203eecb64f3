import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'

import {
  freePort, getMoto, PythonLockHolder, StsStub,
} from '../support/peers.js'
import {
  DEFAULT_CREDENTIALS, LONG_TERM, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'

const CODE = '918273'

interface Case {
  args?: string[]
  code: number
  config?: string
  credentials?: null | string
  env?: Record<string, string | undefined>
  /** Whether the prompt may have been shown (only for failures after the prompt). */
  prompted?: boolean
  stderr: RegExp
  /** STS answers for this case (a stub is used instead of moto). */
  sts?: Array<'close' | ReturnType<typeof StsStub.error>>
  stsCalls?: number
  title: string
}

const BASE = ['refresh-once', '--mfa-serial-number', SERIAL]

const CASES: Case[] = [
  {
    args: ['refresh-once'], code: 6, stderr: /no MFA serial for profile default[\s\S]*--mfa-serial-number[\s\S]*mfa_serial in \[default\] of/, title: 'no MFA serial anywhere',
  },
  {
    args: ['refresh-once', '--mfa-serial-number', 'alice'], code: 2, stderr: /--mfa-serial-number is not usable/, title: 'a serial that is neither ARN nor serial',
  },
  {
    args: ['refresh-once'], code: 6, config: '[default]\nmfa_serial = not a serial\n', stderr: /mfa_serial in \[default\] of .*config is not usable/, title: 'a bad serial in the config file',
  },
  {
    args: [...BASE, '--duration', '600'], code: 2, stderr: /duration/i, title: 'a duration below 900',
  },
  {
    args: [...BASE, '--duration', '200000'], code: 2, stderr: /duration/i, title: 'a duration above 129600',
  },
  {
    args: ['refresh-once'], code: 6, config: `[default]\nmfa_serial = ${SERIAL}\nduration_seconds = -1\n`, stderr: /duration_seconds = -1 in \[default\].* 900 to 129600/, title: 'duration_seconds = -1 in the config file',
  },
  {
    code: 6, credentials: null, stderr: /credentials file .* does not exist[\s\S]*aws configure --profile default/, title: 'no credentials file',
  },
  {
    code: 6, credentials: '[other]\naws_access_key_id = AKIA\naws_secret_access_key = s\n', stderr: /no \[default\] section/, title: 'no [default] section',
  },
  {
    code: 6, credentials: '[default]\naws_access_key_id = AKIAONLY\n', stderr: /lacks aws_access_key_id or aws_secret_access_key/, title: 'a secret key missing',
  },
  {
    code: 6, credentials: `${DEFAULT_CREDENTIALS}aws_session_token = TOKEN\n`, stderr: /holds session credentials/, title: 'session credentials in the source profile',
  },
  {
    code: 6, credentials: `${DEFAULT_CREDENTIALS}\n[x]\nk = 1\n[x]\n`, stderr: /line 7: section \[x\] appears twice[\s\S]*fix .* at line 7/, title: 'a credentials file botocore refuses',
  },
  {
    code: 6, config: '[default]\nthis is garbage\n', stderr: /config file .* cannot be read \(line 2: not a \[section\] header/, title: 'a config file botocore refuses',
  },
  {
    code: 6,
    credentials: '\uFEFF[default]\naws_access_key_id = A\naws_secret_access_key = B\n',
    stderr: /line 1: the file starts with a UTF-8 byte order mark \(BOM\), which botocore does not accept; save it as UTF-8 without a BOM/,
    title: 'a byte order mark',
  },
  {
    args: [...BASE, '--target-profile', 'default'], code: 2, stderr: /cannot be the source profile/, title: 'the target is the source',
  },
  {
    args: [...BASE, '--target-profile', 'DEFAULT'], code: 2, stderr: /DEFAULT is not a profile/, title: 'the target is DEFAULT',
  },
  {
    args: [...BASE, '--bogus'], code: 2, stderr: /Nonexistent flag: --bogus/, title: 'an unknown flag',
  },
  {
    args: [...BASE, '--prompt', 'carrier-pigeon'], code: 2, stderr: /unknown prompt provider "carrier-pigeon"[\s\S]*installed: kdialog \(mfa-creds\), osascript \(mfa-creds\), ssh-askpass \(mfa-creds\), stdin \(mfa-creds\), tty \(mfa-creds\), zenity \(mfa-creds\), or auto/, title: 'an unknown prompt provider',
  },
  {
    args: [...BASE, '--prompt-option', 'nonsense'], code: 2, stderr: /--prompt-option "nonsense" is not KEY=VALUE/, title: 'a prompt option that is not KEY=VALUE',
  },
  {
    args: [...BASE, '--writer', 'carrier-pigeon'], code: 2, stderr: /unknown credential writer "carrier-pigeon"[\s\S]*installed: credentials-file \(mfa-creds\)/, title: 'an unknown credential writer',
  },
  {
    args: [...BASE, '--prompt', 'tty', '--prompt-option', 'x=1'], code: 2, stderr: /the tty prompt provider's options are not usable: unknown option x/, title: 'an option the provider does not take',
  },
  {
    args: ['refresh-once'], code: 6, config: `[default]\nmfa_serial = ${SERIAL}\nmfa_creds_prompt = nope\n`, stderr: /unknown prompt provider "nope"/, title: 'an unknown prompt provider in the config file',
  },
  {
    code: 3, env: {ASKPASS_EXIT: '1'}, prompted: true, stderr: /prompt was cancelled/, title: 'the prompt is cancelled',
  },
  {
    args: [...BASE, '--prompt-timeout', '1'], code: 3, env: {ASKPASS_SLEEP: '5'}, prompted: true, stderr: /no MFA code was entered within 1 s/, title: 'nobody answers the prompt',
  },
  {
    code: 3, env: {ASKPASS_CODE: 'abc'}, prompted: true, stderr: /must be six digits; nothing was sent to AWS/, sts: [], stsCalls: 0, title: 'a code that is not six digits',
  },
  {
    code: 3, env: {
      DISPLAY: undefined, PATH: '/nonexistent', SSH_ASKPASS: undefined, SSH_ASKPASS_REQUIRE: undefined,
    }, stderr: /no way to ask for the MFA code: there is no terminal, no display .* and no ssh-askpass/, title: 'no terminal, no display, no ssh-askpass',
  },
  {
    code: 3, env: {SSH_ASKPASS: '/nonexistent/askpass'}, stderr: /cannot run \/nonexistent\/askpass[\s\S]*apt install ssh-askpass/, title: 'ssh-askpass is not installed',
  },
  {
    code: 4, prompted: true, stderr: /STS rejected the MFA code/, sts: [StsStub.error(403, 'AccessDenied', `MultiFactorAuthentication failed with invalid MFA one time pass code. Code ${CODE} was wrong.`)], stsCalls: 1, title: 'STS rejects the code',
  },
  {
    code: 4, prompted: true, stderr: /does not know the access key in \[default\]/, sts: [StsStub.error(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')], stsCalls: 1, title: 'STS does not know the access key',
  },
  {
    code: 4, prompted: true, stderr: /credentials of \[default\] have expired/, sts: [StsStub.error(400, 'ExpiredToken', 'The security token included in the request is expired')], stsCalls: 1, title: 'expired long-term keys',
  },
  {
    code: 4, prompted: true, stderr: /secret key in \[default\] is wrong, or this machine's clock is off/, sts: [StsStub.error(403, 'SignatureDoesNotMatch', 'Signature expired')], stsCalls: 1, title: 'a signature STS rejects',
  },
  {
    code: 5, prompted: true, stderr: /STS is failing \(InternalFailure, HTTP 500\)/, sts: Array.from({length: 3}, () => StsStub.error(500, 'InternalFailure', 'oops')), stsCalls: 3, title: 'STS fails with 500 after the SDK\'s retries',
  },
  {
    code: 5, prompted: true, stderr: /STS is failing \(Throttling/, sts: Array.from({length: 3}, () => StsStub.error(400, 'Throttling', 'Rate exceeded')), stsCalls: 3, title: 'STS throttles',
  },
  {
    code: 5, prompted: true, stderr: /cannot reach/, sts: ['close', 'close', 'close'], title: 'STS drops the connection',
  },
  {
    code: 5,
    env: {MFA_CREDS_STS_TIMEOUT: '1'},
    prompted: true,
    stderr: /cannot reach .*: no answer within 1 s/,
    sts: Array.from({length: 3}, () => ({...(StsStub.success() as {body: string; status: number}), delayMs: 2500})),
    title: 'STS answers slower than the timeout',
  },
  {
    code: 5, prompted: true, stderr: /STS sent an answer that could not be read/, sts: [{body: '<GetSessionTokenResponse><oops', status: 200}], stsCalls: 1, title: 'STS answers with malformed XML',
  },
  {
    code: 4, prompted: true, stderr: /rejected the request signature \(RequestExpired\)[\s\S]*set the clock right/, sts: [StsStub.error(400, 'RequestExpired', 'Request has expired.')], stsCalls: 1, title: 'a clock far off (RequestExpired)',
  },
  {
    code: 4, prompted: true, stderr: /STS refused access[\s\S]*sts:GetSessionToken/, sts: [StsStub.error(403, 'AccessDenied', 'User is not authorized to perform sts:GetSessionToken')], stsCalls: 1, title: 'STS denies access (not the code)',
  },
]

describe('refresh-once: bad input and failures', () => {
  let motoUrl: string

  before(async () => {
    motoUrl = (await getMoto()).url
  })

  for (const c of CASES) {
    it(`${c.title}: exit ${c.code}, a clear message, every file as it was`, async () => {
      const box = await Sandbox.create(c.credentials === undefined ? DEFAULT_CREDENTIALS : c.credentials)
      const stub = c.sts ? await StsStub.start() : undefined
      try {
        if (c.config !== undefined) await fs.writeFile(box.configFile, c.config)
        await box.setCodes(c.env?.ASKPASS_CODE ?? CODE)
        stub?.push(...c.sts!)
        if (stub) stub.fallback = StsStub.error(500, 'InternalFailure', 'unexpected extra call')
        const before = await snapshot(box)
        const result = await box.run(c.args ?? BASE, {AWS_ENDPOINT_URL: stub?.url ?? motoUrl, ...c.env})
        assert.equal(result.code, c.code, `exit code; stderr: ${result.stderr}`)
        assert.match(result.stderr, c.stderr)
        assert.equal(result.stdout, '')
        assert.ok(!/\n\s+at /.test(result.stderr), 'a stack trace was printed')
        assert.deepEqual(await snapshot(box), before, 'a file changed')
        if (!c.prompted) assert.deepEqual(await box.askpassCalls(), [], 'prompted although it could never succeed')
        if (c.stsCalls !== undefined) assert.equal(stub!.requests.length, c.stsCalls)
        assertClean(result)
      } finally {
        await stub?.stop()
        await box.cleanup()
      }
    })
  }

  it('says the same in --json: the error object on stdout, with kind, exit code and hint', async () => {
    const box = await Sandbox.create()
    try {
      const result = await box.run(['refresh-once', '--json'], {AWS_ENDPOINT_URL: motoUrl})
      assert.equal(result.code, 6)
      const {error} = JSON.parse(result.stdout)
      assert.equal(error.kind, 'CONFIG_UNUSABLE')
      assert.equal(error.exitCode, 6)
      assert.match(error.message, /no MFA serial/)
      assert.match(error.hint, /--mfa-serial-number/)
    } finally {
      await box.cleanup()
    }
  })

  it('gives up with exit 75 when the lock stays taken, before anyone types a code', async () => {
    const box = await Sandbox.create()
    await fs.writeFile(box.lockFile, '')
    const holder = await PythonLockHolder.hold(box.lockFile, 'lockf')
    try {
      const before = await snapshot(box)
      const result = await box.run([...BASE, '--lock-timeout', '1'], {AWS_ENDPOINT_URL: motoUrl})
      assert.equal(result.code, 75, result.stderr)
      assert.match(result.stderr, /Waiting for the credentials file lock; held by python3? \(pid \d+\)/)
      assert.match(result.stderr, /was not free within 1 s; held by python3? \(pid \d+\)/)
      assert.deepEqual(await box.askpassCalls(), [], 'asked for a code that could not be written')
      assert.deepEqual(await snapshot(box), before)
    } finally {
      await holder.release()
      await box.cleanup()
    }
  })

  it('reports a port where nothing listens as unreachable (exit 5)', async () => {
    const box = await Sandbox.create()
    try {
      const result = await box.run(BASE, {AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`})
      assert.equal(result.code, 5, result.stderr)
      assert.match(result.stderr, /cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/)
      assert.match(result.stderr, /check the network/)
    } finally {
      await box.cleanup()
    }
  })
})

async function snapshot(box: Sandbox): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, {withFileTypes: true})) {
      const full = `${dir}/${entry.name}`
      if (entry.isDirectory()) await walk(full)
      else if (!entry.name.endsWith('.lock')) files[full.slice(box.home.length)] = await fs.readFile(full, 'base64')
    }
  }

  await walk(box.home)
  return files
}

function assertClean(result: RunResult): void {
  for (const secret of [LONG_TERM.secretAccessKey, CODE]) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `a secret appeared in the output: ${result.stderr}`)
  }
}
