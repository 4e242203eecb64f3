import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {once} from 'node:events'
import {promises as fs} from 'node:fs'
import https from 'node:https'
import {AddressInfo} from 'node:net'
import path from 'node:path'
import {promisify} from 'node:util'

import {
  botocoreCreds, getMoto, Moto, StsStub,
} from '../support/peers.js'
import {Sandbox, SERIAL} from '../support/sandbox.js'

const REFRESH = ['refresh-once', '--mfa-serial-number', SERIAL, '--force']

describe('refresh-once: STS without loading the AWS SDK', () => {
  let moto: Moto
  let box: Sandbox

  before(async () => {
    moto = await getMoto()
  })

  beforeEach(async () => {
    box = await Sandbox.create()
  })

  afterEach(() => box.cleanup())

  /** refresh-once with every module it resolves logged. */
  function traced(env: Record<string, string | undefined>) {
    // Not the runner's MFA_CREDS_STS_CLIENT (the sandbox passes it through): each test says which client.
    return box.runLogged(REFRESH, {AWS_ENDPOINT_URL: moto.url, MFA_CREDS_STS_CLIENT: undefined, ...env})
  }

  const sdkClient = (modules: string[]) => modules.filter(m => m.includes('/@aws-sdk/client-sts/'))

  it('refreshes against moto without importing @aws-sdk/client-sts (nor @smithy/core: the signer is the build\'s bundle)', async () => {
    const {modules, result} = await traced({})
    assert.equal(result.code, 0, result.stderr)
    const keys = await moto.sessionKeys()
    assert.equal((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.access_key, keys.AccessKeyId)
    // Through oclif the client is dist/core/aws (the signer its vendor bundle); through the fast
    // entry both are in its bundle (dist/fast-bundle).
    const oclif = modules.some(m => m.endsWith('/dist/core/aws/sts-query.js'))
    assert.ok(oclif || modules.some(m => m.includes('/dist/fast-bundle/')), 'the log saw none of our modules: is the hook working?')
    assert.deepEqual(sdkClient(modules), [])
    if (oclif) assert.ok(modules.some(m => m.endsWith('/dist/core/aws/vendor/signature-v4.js')), 'the bundled signer was not used')
    assert.deepEqual(modules.filter(m => /\/@smithy\/(core|signature-v4)\//.test(m)), [])
  })

  it('imports the SDK when MFA_CREDS_STS_CLIENT=sdk, and for FIPS endpoints (which our client does not know)', async () => {
    const sdk = await traced({MFA_CREDS_STS_CLIENT: 'sdk'})
    assert.equal(sdk.result.code, 0, sdk.result.stderr)
    assert.notDeepEqual(sdkClient(sdk.modules), [], 'the SDK was not used')

    // The SDK refuses FIPS with a custom endpoint, as it always did; what counts is that it was asked.
    const fips = await traced({AWS_USE_FIPS_ENDPOINT: 'true'})
    assert.notDeepEqual(sdkClient(fips.modules), [], fips.result.stderr)
  })

  it('retries a 5xx with the same code: one prompt, two requests, the credentials written', async () => {
    const stub = await StsStub.start()
    try {
      stub.push(StsStub.error(503, 'ServiceUnavailable', 'Service is unavailable'), StsStub.success({accessKeyId: 'ASIARETRIEDRETRIED01'}))
      stub.fallback = StsStub.error(500, 'InternalFailure', 'unexpected extra call')
      await box.setCodes('246810')
      const result = await box.run(REFRESH, {AWS_ENDPOINT_URL: stub.url})
      assert.equal(result.code, 0, result.stderr)
      assert.equal((await box.askpassCalls()).length, 1)
      assert.deepEqual(stub.requests.map(r => r.form.TokenCode), ['246810', '246810'])
      assert.equal((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.access_key, 'ASIARETRIEDRETRIED01')
    } finally {
      await stub.stop()
    }
  })

  it('calls an https endpoint over TLS, trusting what Node trusts (NODE_EXTRA_CA_CERTS for a private CA)', async () => {
    const key = path.join(box.root, 'key.pem')
    const cert = path.join(box.root, 'cert.pem')
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'])
    const answer = StsStub.success({accessKeyId: 'ASIATLSTLSTLSTLS0001'}) as {body: string; status: number}
    const seen: string[] = []
    const server = https.createServer({cert: await fs.readFile(cert), key: await fs.readFile(key)}, (req, res) => {
      let body = ''
      req.on('data', c => {
        body += c
      }).on('end', () => {
        seen.push(body)
        res.writeHead(answer.status, {'content-type': 'text/xml'}).end(answer.body)
      })
    }).listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
      // Not trusted: the certificate is refused, and nothing is written.
      const untrusted = await box.run(REFRESH, {AWS_ENDPOINT_URL: url})
      assert.equal(untrusted.code, 5, untrusted.stderr)
      assert.match(untrusted.stderr, /cannot reach .*certificate/i)
      const trusted = await box.run(REFRESH, {AWS_ENDPOINT_URL: url, NODE_EXTRA_CA_CERTS: cert})
      assert.equal(trusted.code, 0, trusted.stderr)
      assert.equal((await botocoreCreds(box.credentialsFile, 'default-mfa'))?.access_key, 'ASIATLSTLSTLSTLS0001')
      assert.ok(seen.some(b => b.includes('Action=GetSessionToken')), 'the call went over TLS')
    } finally {
      server.close()
    }
  })
})
