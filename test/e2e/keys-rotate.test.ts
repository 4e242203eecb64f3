import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'

import {killWhenSaid} from '../support/kill.js'
import {
  getMoto, ROOT, StsStub, SUPPORT,
} from '../support/peers.js'
import {RunResult, Sandbox} from '../support/sandbox.js'

const execFileP = promisify(execFile)
const SOURCE_DIR_PLUGIN = path.join(ROOT, 'test', 'fixtures', 'plugins', 'source-dir')
let users = 0

/** The access key ids IAM (moto) lists for a user, asked with moto's admin keys. */
async function iamKeys(url: string, user: string): Promise<string[]> {
  const script = `import boto3, json, sys
iam = boto3.client('iam', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='AKIAADMINADMINADMIN0', aws_secret_access_key='admin')
print(json.dumps(sorted(k['AccessKeyId'] for k in iam.list_access_keys(UserName=sys.argv[2])['AccessKeyMetadata'])))`
  return JSON.parse((await execFileP('python3', ['-c', script, url, user])).stdout)
}

function fileKey(text: string, profile = 'work'): {accessKeyId: string; secretAccessKey: string} {
  const section = text.split(/^\[/m).find(s => s.startsWith(`${profile}]`)) ?? ''
  return {accessKeyId: /aws_access_key_id = (\S+)/.exec(section)?.[1] ?? '', secretAccessKey: /aws_secret_access_key = (\S+)/.exec(section)?.[1] ?? ''}
}

describe('keys rotate: a new key in IAM, stored, waited for, the old one deleted (against moto)', () => {
  let box: Sandbox
  let url: string
  let user: string
  let old: {accessKeyId: string; secretAccessKey: string}
  let credentials: string

  const env = (extra: Record<string, string> = {}) => ({AWS_ENDPOINT_URL: url, SOURCE_DIR: path.join(box.root, 'kept'), ...extra})
  const rotate = (args: string[] = [], extra: Record<string, string> = {}) => box.run(['keys', 'rotate', '-p', 'work', ...args], env(extra))
  const assertNoSecret = (result: RunResult, ...secrets: string[]) => {
    for (const secret of [old.secretAccessKey, ...secrets]) assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `a secret in the output:\n${result.stdout}\n${result.stderr}`)
  }

  /** Runs rotate until it pauses after `step`, then SIGKILLs it. */
  const killAfter = async (step: string, said: RegExp) => {
    const child = box.start(['keys', 'rotate', '-p', 'work'], env({MFA_CREDS_TEST_PAUSE_AT: step}))
    assert.equal((await killWhenSaid(child, said, `the pause at ${step}`)).signal, 'SIGKILL')
  }

  beforeEach(async () => {
    box = await Sandbox.create()
    url = (await getMoto()).url
    user = `rotor${process.pid}x${++users}`
    old = JSON.parse((await execFileP('python3', [path.join(SUPPORT, 'moto_iam.py'), url, user])).stdout)
    credentials = `# keys\n[work]\naws_access_key_id = ${old.accessKeyId}\naws_secret_access_key = ${old.secretAccessKey}\n\n[other]\nregion = x\n`
    await fs.writeFile(box.credentialsFile, credentials)
    await fs.writeFile(box.configFile, `[profile work]\nmfa_serial = arn:aws:iam::123456789012:mfa/${user}\n`)
  })

  afterEach(() => box.cleanup())

  it('in the credentials file: the new key replaces the old in [work], byte for byte otherwise; IAM keeps only the new one', async () => {
    const result = await rotate(['--json'])
    assert.equal(result.code, 0, result.stderr)
    const text = await box.readCredentials()
    const now = fileKey(text)
    assert.match(now.accessKeyId, /^AKIA/)
    assert.notEqual(now.accessKeyId, old.accessKeyId)
    assertNoSecret(result, now.secretAccessKey)
    const json = JSON.parse(result.stdout)
    assert.deepEqual([json.newKey, json.oldKey, json.userName], [`${now.accessKeyId.slice(0, 4)}...${now.accessKeyId.slice(-4)}`, `${old.accessKeyId.slice(0, 4)}...${old.accessKeyId.slice(-4)}`, user])
    assert.deepEqual(await iamKeys(url, user), [now.accessKeyId])
    // Only [work]'s two values changed; the MFA session went into [work-mfa] at the end.
    assert.ok(text.startsWith(credentials.replace(old.accessKeyId, now.accessKeyId).replace(old.secretAccessKey, now.secretAccessKey)), text)
    assert.equal(await box.askpassCalls().then(calls => calls.length), 1, 'one code for the MFA session')
  })

  it('killed between the create and the delete: the new key is stored, the old one still live; a rerun says how to finish, --finish does', async () => {
    await killAfter('stored', /stored the new key/)
    const stored = fileKey(await box.readCredentials())
    assert.notEqual(stored.accessKeyId, old.accessKeyId)
    assert.deepEqual(await iamKeys(url, user), [old.accessKeyId, stored.accessKeyId].sort())
    const rerun = await rotate()
    assert.equal(rerun.code, 6, rerun.stderr)
    assert.match(rerun.stderr, /a rotation left half-way[\s\S]*keys rotate -p work --finish/)
    const finish = await rotate(['--finish'])
    assert.equal(finish.code, 0, finish.stderr)
    assertNoSecret(finish, stored.secretAccessKey)
    assert.deepEqual(await iamKeys(url, user), [stored.accessKeyId])
    assert.deepEqual(fileKey(await box.readCredentials()), stored)
  })

  it('killed right after the create: the old key is stored and live; --finish deletes the new one nobody holds', async () => {
    await killAfter('created', /IAM made the new key/)
    assert.deepEqual(fileKey(await box.readCredentials()), old)
    assert.equal((await iamKeys(url, user)).length, 2)
    const finish = await rotate(['--finish'])
    assert.equal(finish.code, 0, finish.stderr)
    assert.deepEqual(await iamKeys(url, user), [old.accessKeyId])
    assert.deepEqual(fileKey(await box.readCredentials()), old)
  })

  it('STS never takes the new key in time: exit 7, saying the new key is stored and the old one still live; --finish ends it once STS does', async () => {
    // IAM is moto; STS a stub that knows the user, gives the MFA session, and refuses every key it is then shown.
    let identities = 0
    const stub = await StsStub.start(form => {
      if (form.Action === 'GetSessionToken') return StsStub.success()
      if (form.Action === 'GetCallerIdentity' && identities++ === 0) {
        return {
          body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/staff/${user}</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          status: 200,
        }
      }

      return StsStub.error(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')
    })
    try {
      const result = await rotate([], {AWS_ENDPOINT_URL_STS: stub.url, MFA_CREDS_ROTATE_WAIT: '2'})
      assert.equal(result.code, 7, result.stderr)
      const stored = fileKey(await box.readCredentials())
      assert.notEqual(stored.accessKeyId, old.accessKeyId, 'the new key is stored')
      assertNoSecret(result, stored.secretAccessKey)
      const masked = (id: string) => `${id.slice(0, 4)}...${id.slice(-4)}`
      assert.match(result.stderr, new RegExp(`the new key ${masked(stored.accessKeyId).replaceAll('.', String.raw`\.`)} is stored in credentials-file, but STS did not take it within 2 s; the old key ${masked(old.accessKeyId).replaceAll('.', String.raw`\.`)} is still live`))
      assert.match(result.stderr, /keys rotate -p work --finish/)
      assert.deepEqual(await iamKeys(url, user), [old.accessKeyId, stored.accessKeyId].sort(), 'both keys live in IAM')
    } finally {
      await stub.stop()
    }

    // Once STS takes it (moto's STS takes every key), --finish deletes the old key.
    const finished = await rotate(['--finish'])
    assert.equal(finished.code, 0, finished.stderr)
    assert.deepEqual(await iamKeys(url, user), [fileKey(await box.readCredentials()).accessKeyId])
  })

  it('keys list --iam: the age IAM gives the key; never a secret', async () => {
    const result = await box.run(['keys', 'list', '--iam', '--json'], env())
    assert.equal(result.code, 0, result.stderr)
    assertNoSecret(result)
    const [entry] = JSON.parse(result.stdout).keys
    assert.equal(entry.profile, 'work')
    assert.ok(Math.abs(Date.parse(entry.created) - Date.now()) < 600_000, entry.created)
    const text = await box.run(['keys', 'list', '--iam'], env())
    assert.match(text.stdout, /work\tcredentials-file\tAKIA\.\.\.\w{4} \(0 days old\)/)
  })

  describe('in a source of its own', () => {
    beforeEach(async () => {
      const linked = await box.link(SOURCE_DIR_PLUGIN)
      assert.equal(linked.code, 0, linked.stderr)
      await fs.mkdir(path.join(box.root, 'kept'))
      const imported = await box.run(['keys', 'import', '-p', 'work', '--source', 'dir'], env())
      assert.equal(imported.code, 0, imported.stderr)
      // The MFA session first, so that what the failing rotation leaves can be compared byte for byte.
      const session = await box.run(['refresh-once', '-p', 'work'], env())
      assert.equal(session.code, 0, session.stderr)
    })

    const kept = () => fs.readFile(path.join(box.root, 'kept', 'work.json'), 'utf8')

    it('a source whose store fails after the create: exit 7, the new key deleted again, every file as it was', async () => {
      const before = {config: await fs.readFile(box.configFile, 'utf8'), credentials: await box.readCredentials(), kept: await kept()}
      const result = await rotate(['--json'], {SOURCE_DIR_FAIL: 'store'})
      assert.equal(result.code, 7, result.stderr)
      const {error} = JSON.parse(result.stdout)
      assert.equal(error.kind, 'ROTATION_INCOMPLETE')
      assert.match(error.message, /the new key AKIA\.\.\.\w{4} could not be stored in dir \(the test directory refuses to keep keys\), so it was deleted again; nothing changed/)
      assert.match(error.hint, new RegExp(`the old key ${old.accessKeyId.slice(0, 4)}\\.\\.\\.${old.accessKeyId.slice(-4)} is still live and stored in dir`))
      assertNoSecret(result)
      assert.deepEqual(await iamKeys(url, user), [old.accessKeyId])
      assert.deepEqual({config: await fs.readFile(box.configFile, 'utf8'), credentials: await box.readCredentials(), kept: await kept()}, before)
    })

    it('a source that fails but kept the new key: the rotation goes on, and ends with only the new key', async () => {
      const result = await rotate([], {SOURCE_DIR_FAIL: 'store-after'})
      assert.equal(result.code, 0, result.stderr)
      const now = JSON.parse(await kept())
      assert.notEqual(now.accessKeyId, old.accessKeyId)
      assert.deepEqual(await iamKeys(url, user), [now.accessKeyId])
      assertNoSecret(result, now.secretAccessKey)
    })
  })
})
