import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {
  getMoto, PythonLockHolder, SUPPORT, waitFor,
} from '../support/peers.js'
import {BIN, collect, Sandbox} from '../support/sandbox.js'
import {Terminal} from '../support/terminal.js'

const execFileP = promisify(execFile)
let users = 0

/** A config file with what the AWS CLI allows and a careless editor would lose: CRLF, comments, odd headers, no final newline. */
const CONFIG = '# work machines\r\n[default]\r\nregion = us-east-1\r\ncli_pager=\r\n\r\n; the dev account\r\n[profile   "dev"]\r\nregion: eu-west-1\r\nrole_arn = arn:aws:iam::123456789012:role/dev\r\nsource_profile = default\r\ns3 =\r\n    max_concurrent_requests = 4\r\n\r\n[profile other]\r\noutput = json'

describe('setup: finds the MFA device and writes mfa_serial', () => {
  let box: Sandbox
  let url: string
  let serials: string[]

  /** A new IAM user in moto with these virtual MFA devices, its keys in [default]. */
  const user = async (...devices: string[]) => {
    const name = `alice${process.pid}x${++users}`
    const {stdout} = await execFileP('python3', [path.join(SUPPORT, 'moto_iam.py'), url, name, ...devices.map(d => `${name}-${d}`)])
    const keys = JSON.parse(stdout)
    await fs.writeFile(box.credentialsFile, `[default]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`)
    serials = devices.map(d => `arn:aws:iam::123456789012:mfa/${name}-${d}`)
    return name
  }

  const configGet = async (profile: string) => {
    const env = {AWS_CONFIG_FILE: box.configFile, HOME: box.home, PATH: process.env.PATH}
    return (await execFileP('aws', ['configure', 'get', 'mfa_serial', '--profile', profile], {env}).catch(() => ({stdout: ''}))).stdout.trim()
  }

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
    await fs.writeFile(box.configFile, CONFIG)
  })

  afterEach(() => box.cleanup())

  it('writes the only device of the IAM user into a role profile (keys of its source_profile), changing no other byte', async () => {
    await user('phone')
    const result = await box.run(['setup', '-p', 'dev', '--json'], {AWS_ENDPOINT_URL: url})
    assert.equal(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.deepEqual([json.action, json.mfaSerial, json.profile], ['written', serials[0], 'dev'])
    assert.match(json.user, /^arn:aws:iam::123456789012:user\/staff\/alice/)
    const expected = CONFIG.replace('    max_concurrent_requests = 4\r\n', `    max_concurrent_requests = 4\r\nmfa_serial = ${serials[0]}\r\n`)
    assert.equal(await fs.readFile(box.configFile, 'utf8'), expected)
    assert.equal(await configGet('dev'), serials[0])
    assert.equal(await configGet('default'), '')

    // Once more: nothing to change, nothing written.
    const again = await box.run(['setup', '-p', 'dev'], {AWS_ENDPOINT_URL: url})
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /already has mfa_serial/)
    assert.equal(await fs.readFile(box.configFile, 'utf8'), expected)
  })

  it('finds the device with keys from a credential source, none of them in the credentials file', async () => {
    const name = await user('phone')
    const keys = (await fs.readFile(box.credentialsFile, 'utf8')).match(/= (.*)\n/g)!.map(line => line.slice(2, -1))
    await fs.rm(box.credentialsFile)
    const command = path.join(box.root, 'keys.sh')
    await fs.writeFile(command, `#!/bin/sh\nprintf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}' '${keys[0]}' '${keys[1]}'\n`, {mode: 0o755})
    await fs.writeFile(box.configFile, `[profile other]\noutput = json\nmfa_creds_source = command\nmfa_creds_source_command = ${command}\n`)
    const result = await box.run(['setup', '-p', 'other', '--json'], {AWS_ENDPOINT_URL: url})
    assert.equal(result.code, 0, result.stderr)
    assert.ok(!result.stdout.includes(keys[1]) && !result.stderr.includes(keys[1]), 'the secret was shown')
    assert.match(JSON.parse(result.stdout).user, new RegExp(`user/staff/${name}$`))
    assert.equal(await configGet('other'), serials[0])
    await assert.rejects(fs.stat(box.credentialsFile), 'a credentials file was made')
    // An option on the command line wins over the config's; a failing source stops setup before AWS is asked.
    const failing = await box.run(['setup', '-p', 'other', '--source-option', 'command=false'], {AWS_ENDPOINT_URL: url})
    assert.equal(failing.code, 6, failing.stderr)
    assert.match(failing.stderr, /the credential command false exited 1/)
  })

  it('lets the user pick one of several devices on the terminal', async () => {
    await user('phone', 'yubikey')
    const env = box.env({AWS_ENDPOINT_URL: url})
    const term = Terminal.open(`"${process.execPath}" "${BIN}" setup`, env)
    await term.waitFor(/Which one\? \[1-2\] /)
    assert.match(term.output, new RegExp(`1\\) ${serials[0]}[\\s\\S]*2\\) ${serials[1]}`))
    term.type('7\r')
    await term.waitFor(/"7" is not one of the numbers shown/)
    term.type('2\r')
    assert.equal(await term.exit(), 0, term.output)
    assert.equal(await configGet('default'), serials[1])
    assert.match(term.output, /mfa_serial = .* written to \[default\]/)
  })

  it('without a terminal, asks for --serial; a different serial already set needs --force', async () => {
    await user('phone', 'yubikey')
    const none = await box.run(['setup'], {AWS_ENDPOINT_URL: url})
    assert.equal(none.code, 2)
    assert.match(none.stderr, /has 2 MFA devices and there is no terminal[\s\S]*pass the one to use with --serial/)
    const unknown = await box.run(['setup', '--serial', 'arn:aws:iam::123456789012:mfa/someone-else'], {AWS_ENDPOINT_URL: url})
    assert.equal(unknown.code, 2)
    assert.equal(await fs.readFile(box.configFile, 'utf8'), CONFIG)

    assert.equal((await box.run(['setup', '--serial', serials[0]], {AWS_ENDPOINT_URL: url})).code, 0)
    const before = await fs.readFile(box.configFile, 'utf8')
    const other = await box.run(['setup', '--serial', serials[1]], {AWS_ENDPOINT_URL: url})
    assert.equal(other.code, 2)
    assert.match(other.stderr, /already has mfa_serial = .*phone[\s\S]*--force/)
    assert.equal(await fs.readFile(box.configFile, 'utf8'), before)
    assert.equal((await box.run(['setup', '--serial', serials[1], '--force'], {AWS_ENDPOINT_URL: url})).code, 0)
    assert.equal(await fs.readFile(box.configFile, 'utf8'), before.replace(serials[0], serials[1]))
  })

  it('waits for a python lock holder beside the credentials file before writing the config', async () => {
    await user('phone')
    const holder = await PythonLockHolder.hold(box.lockFile, 'lockf')
    const child = box.start(['setup'], {AWS_ENDPOINT_URL: url})
    const done = collect(child)
    await new Promise(resolve => {
      setTimeout(resolve, 2500)
    })
    assert.equal(await fs.readFile(box.configFile, 'utf8'), CONFIG, 'written while the lock was held')
    assert.equal(child.exitCode, null)
    await holder.release()
    const result = await done
    assert.equal(result.code, 0, result.stderr)
    await waitFor(async () => ((await configGet('default')) === serials[0] ? true : undefined))
  })

  it('explains a user with no device, and keys that are not an IAM user\'s', async () => {
    await user()
    const none = await box.run(['setup'], {AWS_ENDPOINT_URL: url})
    assert.equal(none.code, 6)
    assert.match(none.stderr, /IAM lists no MFA device for IAM user alice[\s\S]*Assign MFA device/)
    await fs.writeFile(box.credentialsFile, '[default]\naws_access_key_id = AKIA\n')
    const broken = await box.run(['setup'], {AWS_ENDPOINT_URL: url})
    assert.equal(broken.code, 6)
    assert.match(broken.stderr, /lacks aws_access_key_id or aws_secret_access_key/)
    assert.equal(await fs.readFile(box.configFile, 'utf8'), CONFIG)
  })
})
