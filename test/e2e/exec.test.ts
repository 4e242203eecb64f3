import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {promises as fs} from 'node:fs'
import http from 'node:http'
import path from 'node:path'

import {
  getMoto, ROOT, StsStub, SUPPORT, waitFor,
} from '../support/peers.js'
import {
  BIN, collect, LONG_TERM, RunResult, Sandbox, SERIAL,
} from '../support/sandbox.js'
import {Tmux} from '../support/tmux.js'

const SESSION = {accessKeyId: 'ASIAEXECEXECEXEC0001', secretAccessKey: 'exec/Session+Secret00000000000000000000', sessionToken: 'FwoGZXIvYXdzExecSessionToken+/abc012=='}
const CONFIG = `[default]
mfa_serial = ${SERIAL}
region = eu-west-1
output = text
s3 =
    addressing_style = path
`

/** What botocore, run as the child, finds: how it got credentials, the key, the region and a nested setting. */
const BOTOCORE_PROBE = `
import json, botocore.session
s = botocore.session.get_session()
c = s.get_credentials()
f = c.get_frozen_credentials()
print(json.dumps({"method": c.method, "key": f.access_key, "token": bool(f.token), "region": s.get_config_variable("region"),
  "s3": s.get_scoped_config().get("s3"), "output": s.get_scoped_config().get("output")}))
`

describe('exec: a command or a shell with the session, as aws-vault exec', () => {
  let box: Sandbox
  let stub: StsStub

  beforeEach(async () => {
    box = await Sandbox.create()
    await fs.writeFile(box.configFile, CONFIG)
    stub = await StsStub.start(StsStub.success(SESSION))
  })

  afterEach(async () => {
    await stub.stop()
    await box.cleanup()
  })

  const run = (args: string[], env: Record<string, string | undefined> = {}) => box.run(['exec', ...args], {AWS_ENDPOINT_URL: stub.url, ...env})

  it('refreshes, then runs COMMAND with the session in its environment and no profile: botocore takes them from there', async () => {
    const result = await run(['--', 'python3', '-c', BOTOCORE_PROBE], {AWS_DEFAULT_PROFILE: 'default', AWS_PROFILE: 'default-mfa'})
    assert.equal(result.code, 0, result.stderr)
    const seen = JSON.parse(result.stdout)
    assert.deepEqual(seen, {
      key: SESSION.accessKeyId, method: 'env', output: 'text', region: 'eu-west-1', s3: {addressing_style: 'path'}, token: true,
    })
    assert.equal(stub.requests.filter(r => r.form.Action === 'GetSessionToken').length, 1)
    assert.equal((await box.askpassCalls()).length, 1)
  })

  it('sets exactly the session variables and the region, removes AWS_PROFILE and stale keys, and names the profile', async () => {
    const stale = {
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/stale', AWS_DEFAULT_PROFILE: 'x', AWS_PROFILE: 'default-mfa', AWS_SECURITY_TOKEN: 'stale', AWS_WEB_IDENTITY_TOKEN_FILE: '/stale',
    }
    const result = await run(['-p', 'default', 'env'], stale)
    assert.equal(result.code, 0, result.stderr)
    const env = Object.fromEntries(result.stdout.split('\n').filter(l => l.includes('=')).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    assert.equal(env.AWS_ACCESS_KEY_ID, SESSION.accessKeyId)
    assert.equal(env.AWS_SECRET_ACCESS_KEY, SESSION.secretAccessKey)
    assert.equal(env.AWS_SESSION_TOKEN, SESSION.sessionToken)
    assert.match(env.AWS_CREDENTIAL_EXPIRATION, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.equal(env.AWS_REGION, 'eu-west-1')
    assert.equal(env.AWS_DEFAULT_REGION, 'eu-west-1')
    assert.equal(env.MFA_CREDS_EXEC, 'default')
    for (const name of Object.keys(stale)) assert.equal(env[name], undefined, `${name} reached the child`)
  })

  it('with the session still fresh, asks for nothing; COMMAND\'s own flags stay its own', async () => {
    assert.equal((await run(['true'])).code, 0)
    const result = await run(['-p', 'default', 'sh', '-c', 'echo "$0 $1"', '--profile', 'x'])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, '--profile x\n')
    assert.equal((await box.askpassCalls()).length, 1, 'asked for a second code')
  })

  it('passes COMMAND\'s exit status, a signal\'s 128+N, 127 and 126 through; a command that cannot run is found out before a code is asked for', async () => {
    assert.equal((await run(['--', 'sh', '-c', 'exit 7'])).code, 7)
    assert.equal((await run(['--', 'sh', '-c', 'kill -TERM $$'])).code, 143)
    await box.cleanup()
    box = await Sandbox.create()
    await fs.writeFile(box.configFile, CONFIG)
    const before = await box.readCredentials()
    const calls = stub.requests.length
    const missing = await run(['--', 'no-such-program-here'])
    assert.equal(missing.code, 127)
    assert.match(missing.stderr, /no-such-program-here: command not found/)
    const plain = path.join(box.root, 'not-executable')
    await fs.writeFile(plain, 'echo hi\n', {mode: 0o644})
    const cannot = await run(['--', plain])
    assert.equal(cannot.code, 126)
    assert.match(cannot.stderr, /cannot run it/)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(stub.requests.length, calls)
    assert.equal(await box.readCredentials(), before)
  })

  it('a signal sent to its whole process group (timeout, kill -- -PGID) reaches COMMAND once', async () => {
    const ready = path.join(box.root, 'ready')
    const child = box.start(['exec', '--', 'python3', path.join(SUPPORT, 'count_signals.py'), ready, '3'], {AWS_ENDPOINT_URL: stub.url})
    const done = collect(child)
    await waitFor(() => fs.access(ready).then(() => true, () => {}), 20_000, 'COMMAND to start')
    process.kill(-child.pid!, 'SIGHUP')
    process.kill(-child.pid!, 'SIGINT')
    const result = await done
    assert.deepEqual(JSON.parse(result.stdout), {HUP: 1, INT: 1, QUIT: 0})
    assert.equal(result.code, 1)
  })

  it('with no PATH at all, finds COMMAND where a shell would (/usr/bin:/bin)', async () => {
    const result = await run(['--', 'ls', '/'], {PATH: undefined})
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^usr$/m)
  })

  it('passes standard input and output through', async () => {
    const child = spawn(process.execPath, [BIN, 'exec', '--', 'sh', '-c', 'read line; echo "got $line"'], {env: box.env({AWS_ENDPOINT_URL: stub.url}), stdio: ['pipe', 'pipe', 'pipe']})
    child.stdin.end('hello\n')
    const result = await collect(child)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'got hello\n')
  })

  it('refuses to run inside an exec: exit 2, nothing asked, the outer status passed through', async () => {
    await run(['true'])
    const result = await run(['--', process.execPath, BIN, 'exec', '--', 'true'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /already inside mfa-creds exec for profile default \(MFA_CREDS_EXEC is set\)/)
    assert.equal((await box.askpassCalls()).length, 1)
  })

  it('refuses --prompt stdin (its standard input is COMMAND\'s) and a value given to a switch, before anything is asked', async () => {
    const before = await box.readCredentials()
    const stdin = await run(['--prompt', 'stdin', '--', 'cat'])
    assert.equal(stdin.code, 2)
    assert.match(stdin.stderr, /exec hands its standard input to COMMAND/)
    const valued = await run(['--server=false', '--', 'true'])
    assert.equal(valued.code, 2)
    assert.match(valued.stderr, /--server takes no value/)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(await box.readCredentials(), before)
  })

  it('a profile where COMMAND goes (aws-vault\'s way): 127, and says to use -p', async () => {
    await fs.appendFile(box.configFile, `\n[profile work]\nmfa_serial = ${SERIAL}\n`)
    const result = await run(['work', '--', 'aws', 's3', 'ls'])
    assert.equal(result.code, 127)
    assert.match(result.stderr, /work: command not found\n {2}work is a profile: the profile goes with -p, as in mfa-creds exec -p work -- aws s3 ls/)
    assert.deepEqual(await box.askpassCalls(), [])
  })

  it('refuses a writer that is not the credentials file, before anything is asked', async () => {
    const result = await run(['--writer', 'env-file', '--', 'true'])
    assert.equal(result.code, 2)
    assert.deepEqual(await box.askpassCalls(), [])
  })

  it('the secrets are in COMMAND\'s environment only: not in mfa-creds\' own environment or argv, nor in anything it printed', async () => {
    const result = await run(['--', 'sh', '-c', String.raw`tr "\0" "\n" < /proc/$PPID/environ; tr "\0" " " < /proc/$PPID/cmdline`])
    assert.equal(result.code, 0, result.stderr)
    for (const secret of [SESSION.secretAccessKey, SESSION.sessionToken, LONG_TERM.secretAccessKey, '123456']) {
      assert.ok(!result.stdout.includes(secret), 'a secret in mfa-creds\' environment or argv')
      assert.ok(!result.stderr.includes(secret), 'a secret printed')
    }
  })
})

describe('exec with no COMMAND: the user\'s shell, in a real terminal (tmux)', () => {
  let box: Sandbox
  let tmux: Tmux | undefined
  let url: string

  beforeEach(async () => {
    box = await Sandbox.create()
    await fs.writeFile(box.configFile, CONFIG)
    // zsh would run its new-user set-up in an empty home.
    await fs.writeFile(path.join(box.home, '.zshrc'), '')
    url = (await getMoto()).url
  })

  afterEach(async () => {
    await tmux?.kill()
    tmux = undefined
    await box.cleanup()
  })

  for (const shell of ['/bin/bash', '/usr/bin/zsh']) {
    it(`starts ${path.basename(shell)} from $SHELL with the session: the aws CLI works in it, a nested exec is refused, its exit status comes back`, async () => {
      const env = box.env({AWS_ENDPOINT_URL: url, SHELL: shell, TERM: 'xterm-256color'})
      tmux = await Tmux.open(`'${process.execPath}' '${BIN}' exec; echo "outer=$?"`, env)
      await tmux.waitFor(/[$%#] ?$/m)
      await tmux.text(String.raw`echo "in=$MFA_CREDS_EXEC"; aws sts get-caller-identity --query Arn --output text; echo "cli=$?"`)
      await tmux.keys('Enter')
      const inside = await tmux.waitFor(/cli=\d+/)
      assert.match(inside, /^in=default$/m)
      assert.match(inside, /^arn:aws:sts::123456789012:user\/moto$/m)
      assert.match(inside, /cli=0/)
      await tmux.text(`'${process.execPath}' '${BIN}' exec -- true; echo "nested=$?"`)
      await tmux.keys('Enter')
      const nested = await tmux.waitFor(/nested=\d+/)
      assert.match(nested, /nested=2/)
      assert.match(nested, /already inside mfa-creds exec/)
      await tmux.text('exit 5')
      await tmux.keys('Enter')
      assert.match(await tmux.waitFor(/outer=\d+/), /outer=5/)
    })
  }
})

/** Runs a short python program (given as argv, never through a shell) inside `exec --server`. */
function python(box: Sandbox, program: string, args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return box.run(['exec', ...args, '--', 'python3', '-c', program], env)
}

/** STS's answer to GetCallerIdentity. */
const CALLER = {
  body: '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>X</UserId><Account>123456789012</Account>'
    + '</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
  status: 200,
}

/** An STS stub that issues a new session (ASIAROTATEROTATE000N, 75 s long) on each call, and answers GetCallerIdentity. */
function rotatingStub(): {expirations: number[]; start(): Promise<StsStub>} {
  let issued = 0
  const expirations: number[] = []
  return {
    expirations,
    start: () => StsStub.start(form => {
      if (form.Action === 'GetCallerIdentity') return CALLER

      issued++
      expirations.push(Date.now() + 75_000)
      return StsStub.success({...SESSION, accessKeyId: `ASIAROTATEROTATE000${issued}`, expiration: new Date(expirations.at(-1)!)})
    }),
  }
}

/** In the child: waits (150 s at most) for boto3's credentials to move to new keys, then calls STS with boto3 and with the aws CLI. */
const SWITCH_PROBE = `
import boto3, json, subprocess, sys, time
c = boto3.Session().get_credentials()
first = c.get_frozen_credentials().access_key
deadline = time.time() + 150
key = first
while key == first and time.time() < deadline:
    time.sleep(0.2)
    key = c.get_frozen_credentials().access_key
switched = time.time()
boto3.client("sts").get_caller_identity()
cli = subprocess.run(["aws", "sts", "get-caller-identity", "--output", "json"], capture_output=True, text=True)
print(json.dumps({"method": c.method, "first": first, "second": key, "switched": switched, "cli": cli.returncode, "cli_err": cli.stderr[-300:]}))
`

const REQUEST_PROBE = `
import http.client, json, os, sys
from urllib.parse import urlsplit
u = urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
def ask(method="GET", path=u.path, host=None, auth=token):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.putrequest(method, path, skip_host=True)
    c.putheader("Host", host or u.netloc)
    if auth is not None: c.putheader("Authorization", auth)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    return r.status, body
out = {}
status, body = ask()
out["ok"] = [status, sorted(json.loads(body))]
out["no-token"] = ask(auth=None)[0]
out["wrong-token"] = ask(auth=token[:-1] + ("A" if token[-1] != "A" else "B"))[0]
out["evil-host"] = ask(host="evil.example:%d" % u.port)[0]
out["localhost"] = ask(host="localhost:%d" % u.port)[0]
out["post"] = ask(method="POST")[0]
out["put"] = ask(method="PUT")[0]
out["other-path"] = ask(path="/credentials/default")[0]
out["env-keys"] = [k for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE") if k in os.environ]
out["files"] = [open(os.environ["AWS_CONFIG_FILE"]).read(), open(os.environ["AWS_SHARED_CREDENTIALS_FILE"]).read()]
out["config_path"] = os.environ["AWS_CONFIG_FILE"]
out["dir"] = oct(os.stat(os.path.dirname(os.environ["AWS_CONFIG_FILE"])).st_mode & 0o777)
print(json.dumps(out))
`

describe('exec --server: a local credentials endpoint (the ECS container protocol) that outlives a session', () => {
  let box: Sandbox
  let stub: StsStub

  beforeEach(async () => {
    box = await Sandbox.create()
    await fs.writeFile(box.configFile, CONFIG)
  })

  afterEach(async () => {
    await stub?.stop()
    await box.cleanup()
  })

  it('botocore takes the endpoint, not the long-term keys in [default], and keeps the profile\'s region and settings', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    const result = await python(box, BOTOCORE_PROBE, ['--server'], {AWS_ENDPOINT_URL: stub.url, AWS_PROFILE: 'default'})
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.stdout), {
      key: SESSION.accessKeyId, method: 'container-role', output: 'text', region: 'eu-west-1', s3: {addressing_style: 'path'}, token: true,
    })
  })

  it('no other way to keys before the endpoint: a [profile default] of its own, ~/.boto, $AWS_CREDENTIAL_FILE, login_session, the Java SDK\'s names', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    const planted = path.join(box.root, 'planted.sh')
    await fs.writeFile(planted, '#!/bin/sh\necho \'{"Version": 1, "AccessKeyId": "AKIAPLANTEDPROCESS01", "SecretAccessKey": "x"}\'\n', {mode: 0o755})
    await fs.writeFile(box.configFile, `[profile default]\nregion = eu-west-2\nca_bundle = /etc/ssl/certs/ca-certificates.crt\ncredential_process = ${planted}\n\n[profile work]\nmfa_serial = ${SERIAL}\nlogin_session = arn:aws:iam::123456789012:user/alice\n`)
    await fs.appendFile(box.credentialsFile, '\n[work]\naws_access_key_id = AKIAWORKWORKWORK0001\naws_secret_access_key = work/Secret000000000000000000000000000000\n')
    await fs.writeFile(path.join(box.home, '.boto'), '[Credentials]\naws_access_key_id = AKIAPLANTEDBOTO00001\naws_secret_access_key = x\n')
    const ec2 = path.join(box.root, 'ec2-credentials')
    await fs.writeFile(ec2, 'AWSAccessKeyId=AKIAPLANTEDEC2000001\nAWSSecretKey=x\n')
    const probe = `${BOTOCORE_PROBE}
import os
print(json.dumps({"java": [k for k in ("AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_CREDENTIAL_FILE") if k in os.environ], "ca": s.get_config_variable("ca_bundle"),
  "config": open(os.environ["AWS_CONFIG_FILE"]).read()}))
`
    const result = await python(box, probe, ['-p', 'work', '--server'], {
      AWS_ACCESS_KEY: 'AKIAPLANTEDJAVA00001', AWS_CREDENTIAL_FILE: ec2, AWS_ENDPOINT_URL: stub.url, AWS_SECRET_KEY: 'x',
    })
    assert.equal(result.code, 0, result.stderr)
    const [seen, rest] = result.stdout.trim().split('\n').map(line => JSON.parse(line))
    assert.equal(seen.method, 'container-role')
    assert.equal(seen.key, SESSION.accessKeyId)
    // The settings of the profile default (here [profile default]) are kept under the profile's.
    assert.equal(seen.region, 'eu-west-2')
    assert.equal(rest.ca, '/etc/ssl/certs/ca-certificates.crt')
    assert.deepEqual(rest.java, [])
    assert.doesNotMatch(rest.config.split('\n\n')[0], /login_session|credential_process/)
    assert.doesNotMatch(rest.config, /\[profile default\]/)
  })

  it('the AWS SDK for JavaScript takes the endpoint too: its calls are signed with the session, not the keys of [default]', async () => {
    stub = await StsStub.start(form => (form.Action === 'GetCallerIdentity' ? CALLER : StsStub.success(SESSION)))
    const client = path.join(ROOT, 'node_modules', '@aws-sdk', 'client-sts', 'dist-cjs', 'index.js')
    const program = `const {STSClient, GetCallerIdentityCommand} = require(${JSON.stringify(client)})
new STSClient({}).send(new GetCallerIdentityCommand({})).then(r => console.log(r.Account), e => { console.error(e); process.exit(1) })`
    const result = await box.run(['exec', '--server', '--', process.execPath, '-e', program], {AWS_ENDPOINT_URL: stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.trim(), '123456789012')
    const signed = stub.requests.filter(r => r.form.Action === 'GetCallerIdentity').map(r => /Credential=(\w+)\//.exec(r.authorization)?.[1])
    assert.deepEqual(signed, [SESSION.accessKeyId])
  })

  it('refuses a missing or wrong token, another Host, any method but GET, another path; the child has no keys, and the stand-in files none either', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    const result = await python(box, REQUEST_PROBE, ['--server'], {AWS_ENDPOINT_URL: stub.url})
    assert.equal(result.code, 0, result.stderr)
    const seen = JSON.parse(result.stdout)
    assert.deepEqual(seen.ok, [200, ['AccessKeyId', 'Expiration', 'SecretAccessKey', 'Token']])
    assert.equal(seen['no-token'], 401)
    assert.equal(seen['wrong-token'], 401)
    assert.equal(seen['evil-host'], 403)
    assert.equal(seen.localhost, 200)
    assert.equal(seen.post, 405)
    assert.equal(seen.put, 405)
    assert.equal(seen['other-path'], 401)
    assert.deepEqual(seen['env-keys'], [])
    assert.equal(seen.dir, '0o700')
    const [config, credentials] = seen.files as string[]
    assert.equal(credentials, '')
    assert.match(config, /^\[default\]\nregion = eu-west-1\noutput = text\ns3 =\n {4}addressing_style = path\n/)
    assert.doesNotMatch(config, /mfa_serial|aws_access_key_id|aws_secret/)
    // Refusals are told (once per kind), and nothing served is.
    assert.match(result.stderr, /refused a request without the right token/)
    assert.match(result.stderr, /refused a request addressed to another host name/)
    assert.match(result.stderr, /refused a request not a GET/)
    for (const secret of [SESSION.secretAccessKey, SESSION.sessionToken, LONG_TERM.secretAccessKey]) {
      assert.ok(!result.stderr.includes(secret), 'a secret on stderr')
    }

    // The stand-ins are gone with the command.
    await assert.rejects(fs.stat(path.dirname(seen.config_path)), {code: 'ENOENT'})
  })

  it('renews the session before it expires while COMMAND runs: boto3 and the aws CLI move to the new keys with no restart', async function () {
    this.timeout(240_000)
    // Sessions of 75 s renewed 60 s before they end: a new one every 15 s or so.
    const rotating = rotatingStub()
    stub = await rotating.start()
    const {expirations} = rotating
    const result = await python(box, SWITCH_PROBE, ['--server', '--refresh-lead-time', '60', '--duration', '900'], {AWS_ENDPOINT_URL: stub.url})
    assert.equal(result.code, 0, result.stderr)
    const seen = JSON.parse(result.stdout)
    assert.equal(seen.method, 'container-role')
    assert.equal(seen.first, 'ASIAROTATEROTATE0001')
    assert.match(seen.second, /^ASIAROTATEROTATE000[2-9]$/, `boto3 never moved on: ${result.stderr}`)
    assert.ok(seen.switched * 1000 < expirations[0], 'the new keys came only after the first session had expired')
    assert.equal(seen.cli, 0, seen.cli_err)
    // Both the SDK and the CLI signed with the renewed session, never with the long-term keys.
    const callers = stub.requests.filter(r => r.form.Action === 'GetCallerIdentity').map(r => /Credential=(\w+)\//.exec(r.authorization)?.[1])
    assert.equal(callers.length, 2)
    for (const key of callers) assert.match(key!, /^ASIAROTATEROTATE000[2-9]$/)
    assert.match(result.stderr, /renewed \[default-mfa\] for the endpoint/)
    assert.ok((await box.askpassCalls()).length >= 2)
  })

  it('with only the terminal to ask, says that renewals are left to a watch, and still serves the file\'s session', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    await box.run(['refresh-once'], {AWS_ENDPOINT_URL: stub.url})
    const result = await python(box, BOTOCORE_PROBE, ['--server', '--prompt', 'tty'], {AWS_ENDPOINT_URL: stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.equal(JSON.parse(result.stdout).key, SESSION.accessKeyId)
    assert.match(result.stderr, /nothing will ask for a code while python3 runs.*mfa-creds watch -p default/)
  })

  it('a temp dir it cannot write to is a configuration error found before anything is asked (exit 6)', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    const before = await box.readCredentials()
    const result = await box.run(['exec', '--server', '--', 'true'], {AWS_ENDPOINT_URL: stub.url, TMPDIR: path.join(box.root, 'no-such-dir')})
    assert.equal(result.code, 6, result.stderr)
    assert.match(result.stderr, /cannot make the stand-in files .*no-such-dir/)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(await box.readCredentials(), before)
  })

  it('auto with no display and no $SSH_ASKPASS set: no renewals in the background, and says so', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    await box.run(['refresh-once'], {AWS_ENDPOINT_URL: stub.url})
    const fresh = await python(box, BOTOCORE_PROBE, ['--server'], {
      AWS_ENDPOINT_URL: stub.url, DISPLAY: undefined, SSH_ASKPASS: undefined, SSH_ASKPASS_REQUIRE: undefined,
    })
    assert.equal(fresh.code, 0, fresh.stderr)
    assert.match(fresh.stderr, /nothing will ask for a code while python3 runs/)
  })

  it('refuses a lead time as long as the session before anything is asked', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    const before = await box.readCredentials()
    const result = await box.run(['exec', '--server', '--duration', '900', '--refresh-lead-time', '900', '--', 'true'], {AWS_ENDPOINT_URL: stub.url})
    assert.equal(result.code, 2)
    assert.match(result.stderr, /--refresh-lead-time \(900 s\) must be shorter than the session/)
    assert.deepEqual(await box.askpassCalls(), [])
    assert.equal(await box.readCredentials(), before)
  })
})

/** The status an endpoint answers a GET of [default-mfa]'s path with these headers (Host may be set: node:http sends it as given). */
function statusOf(origin: string, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    http.get(`${origin}/credentials/default-mfa`, {headers}, response => {
      response.resume()
      resolve(response.statusCode)
    }).on('error', reject)
  })
}

describe('watch --serve: a long-lived endpoint that exec --server hands to its commands', () => {
  let box: Sandbox
  let stub: StsStub
  let watch: ReturnType<Sandbox['start']> | undefined
  let watchLog = ''

  beforeEach(async () => {
    box = await Sandbox.create()
    await fs.writeFile(box.configFile, CONFIG)
  })

  afterEach(async () => {
    watch?.kill('SIGTERM')
    if (watch && watch.exitCode === null) await new Promise(resolve => {
      watch!.once('close', resolve)
    })
    watch = undefined
    watchLog = ''
    await stub?.stop()
    await box.cleanup()
  })

  /** Starts watch --serve; resolves with its endpoint's origin once it serves. */
  const startWatch = async (args: string[]) => {
    watch = box.start(['watch', '--serve', ...args], {AWS_ENDPOINT_URL: stub.url})
    watch.stderr!.on('data', chunk => {
      watchLog += chunk
    })
    return waitFor(() => /serving the credentials at (http:\/\/127\.0\.0\.1:\d+)/.exec(watchLog)?.[1], 30_000, 'watch to serve')
  }

  it('exec --server uses the watch\'s endpoint (no second one, no renewals of its own), across the watch\'s renewals', async function () {
    this.timeout(240_000)
    const rotating = rotatingStub()
    stub = await rotating.start()
    const origin = await startWatch(['--refresh-lead-time', '60', '--duration', '900'])
    const result = await python(box, SWITCH_PROBE, ['--server', '--refresh-lead-time', '60', '--duration', '900'], {AWS_ENDPOINT_URL: stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, new RegExp(`using the endpoint of mfa-creds watch \\(pid ${watch!.pid}\\)`))
    const seen = JSON.parse(result.stdout)
    assert.equal(seen.method, 'container-role')
    assert.notEqual(seen.second, seen.first, `boto3 never moved on: ${watchLog}`)
    assert.ok(seen.switched * 1000 < rotating.expirations[0], 'the new keys came only after the first session had expired')
    assert.equal(seen.cli, 0, seen.cli_err)
    assert.doesNotMatch(result.stderr, /renewed \[default-mfa\] for the endpoint/, 'exec renewed on its own')
    // status says where the watch serves, and never the token.
    const registry = (await fs.readdir(path.join(box.aws, '.mfa-creds'))).find(name => /^watch-\d+\.json$/.test(name))!
    const {endpoint} = JSON.parse(await fs.readFile(path.join(box.aws, '.mfa-creds', registry), 'utf8'))
    assert.equal(endpoint.origin, origin)
    const status = await box.run(['status', '--json'])
    const text = await box.run(['status'])
    assert.equal(JSON.parse(status.stdout).watchers[0].serving, origin)
    assert.match(text.stdout, new RegExp(`serving them at ${origin}`))
    for (const out of [status.stdout, text.stdout, watchLog, result.stderr]) assert.ok(!out.includes(endpoint.token), 'the token was shown')
  })

  it('a watch of another credentials file in the same directory is not used', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    await startWatch([])
    const other = path.join(box.aws, 'other-credentials')
    await fs.copyFile(box.credentialsFile, other)
    const result = await python(box, BOTOCORE_PROBE, ['--server', '--prompt', 'ssh-askpass'], {AWS_ENDPOINT_URL: stub.url, AWS_SHARED_CREDENTIALS_FILE: other})
    assert.equal(result.code, 0, result.stderr)
    assert.doesNotMatch(result.stderr, /using the endpoint of mfa-creds watch/)
    assert.equal(JSON.parse(result.stdout).method, 'container-role')
    assert.match(await fs.readFile(other, 'utf8'), /\[default-mfa\]/)
  })

  it('a command\'s token opens its own target only: not another one the watch serves', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    await fs.appendFile(box.configFile, `\n[profile work]\nmfa_serial = ${SERIAL}\n`)
    await fs.appendFile(box.credentialsFile, '\n[work]\naws_access_key_id = AKIAWORKWORKWORK0001\naws_secret_access_key = work/Secret000000000000000000000000000000\n')
    await startWatch(['-p', 'default', '-p', 'work'])
    const program = `
import os, urllib.request
u = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
def status(url):
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})).status
    except urllib.error.HTTPError as e:
        return e.code
print(status(u), status(u.rsplit("/", 1)[0] + "/work-mfa"))
`
    const result = await python(box, program, ['--server'], {AWS_ENDPOINT_URL: stub.url})
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /using the endpoint of mfa-creds watch/)
    assert.equal(result.stdout.trim(), '200 401')
  })

  it('refuses a wrong token and tells its log, once', async () => {
    stub = await StsStub.start(StsStub.success(SESSION))
    const origin = await startWatch([])
    for (let i = 0; i < 3; i++) assert.equal(await statusOf(origin, {authorization: 'guess'}), 401)
    assert.equal(await statusOf(origin, {authorization: 'guess', host: 'attacker.example'}), 403)
    await waitFor(() => /refused a request addressed to another host name/.test(watchLog) || undefined, 15_000, 'the refusal in the log')
    assert.equal(watchLog.match(/refused a request without the right token/g)?.length, 1)
  })
})
