/**
 * Real peers for the tests: moto_server as STS (one per test run, on a free loopback port), a
 * wire-level STS stub for the faults moto cannot produce, and python3 helpers (botocore as the
 * reader, lock holders in other processes).
 */
import {ChildProcess, execFile, spawn} from 'node:child_process'
import {once} from 'node:events'
import {existsSync} from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {promisify} from 'node:util'

const execFileP = promisify(execFile)
export const SUPPORT = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(SUPPORT, '..', '..')

export async function freePort(): Promise<number> {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const {port} = server.address() as net.AddressInfo
  server.close()
  await once(server, 'close')
  return port
}

export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value as T
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => {
      setTimeout(resolve, 50)
    })
  }
}

/** Whether a GET answers 2xx (false while nothing answers). */
function httpOk(url: string): Promise<boolean> {
  return new Promise(resolve => {
    http
      .get(url, res => {
        res.resume()
        resolve(res.statusCode !== undefined && res.statusCode < 300)
      })
      .on('error', () => resolve(false))
  })
}

export interface Moto {
  /** The fixed credentials moto's GetSessionToken returns, learnt through boto3. */
  sessionKeys(): Promise<{AccessKeyId: string; SecretAccessKey: string; SessionToken: string}>
  url: string
}

let moto: Promise<Moto> | undefined
let motoProcess: ChildProcess | undefined

process.once('exit', () => motoProcess?.kill('SIGKILL'))

/** The run's moto_server, started on first use. */
export function getMoto(): Promise<Moto> {
  moto ??= (async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    motoProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: 'ignore'})
    motoProcess.unref()
    await waitFor(async () => (await httpOk(`${url}/moto-api/`)) || undefined, 30_000, 'moto_server')
    let keys: undefined | {AccessKeyId: string; SecretAccessKey: string; SessionToken: string}
    return {
      async sessionKeys() {
        if (!keys) {
          const script = `import boto3, json
c = boto3.client('sts', endpoint_url='${url}', region_name='us-east-1', aws_access_key_id='AKIAX', aws_secret_access_key='x')
r = c.get_session_token(SerialNumber='arn:aws:iam::123456789012:mfa/probe', TokenCode='123456')['Credentials']
print(json.dumps({k: r[k] for k in ('AccessKeyId', 'SecretAccessKey', 'SessionToken')}))`
          keys = JSON.parse((await execFileP('python3', ['-c', script])).stdout)
        }

        return keys!
      },
      url,
    }
  })()
  return moto
}

/** What moto's STS remembers of the roles it let somebody assume. */
export async function motoAssumedRoles(url: string): Promise<Array<{external_id: null | string; role_arn: string; session_name: string}>> {
  const text = await new Promise<string>((resolve, reject) => {
    http.get(`${url}/moto-api/data.json`, res => {
      let body = ''
      res.on('data', c => {
        body += c
      }).on('end', () => resolve(body))
    }).on('error', reject)
  })
  const data = JSON.parse(text) as {sts?: {AssumedRole?: Array<{external_id: null | string; role_arn: string; session_name: string}>}}
  return data.sts?.AssumedRole ?? []
}

export async function botocoreView(...files: string[]): Promise<Array<{error?: string; line?: null | number; view?: Record<string, Record<string, unknown>>}>> {
  const {stdout} = await execFileP('python3', [path.join(SUPPORT, 'botocore_reader.py'), 'view', ...files], {maxBuffer: 64 * 1024 * 1024})
  return JSON.parse(stdout)
}

export async function botocoreCreds(file: string, profile: string): Promise<null | {access_key: string; method: string; secret_key: string; token: null | string}> {
  const {stdout} = await execFileP('python3', [path.join(SUPPORT, 'botocore_reader.py'), 'creds', file, profile])
  return JSON.parse(stdout)
}

/** A lock holder in another process (python3 fcntl.lockf or fcntl.flock). */
export class PythonLockHolder {
  private constructor(private readonly child: ChildProcess) {}

  static async hold(lockFile: string, kind: 'flock' | 'lockf'): Promise<PythonLockHolder> {
    const child = spawn('python3', [path.join(SUPPORT, 'hold_lock.py'), lockFile, kind], {stdio: ['pipe', 'pipe', 'inherit']})
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer]
    if (chunk.toString().trim() !== 'locked') throw new Error(`lock holder said ${chunk}`)
    return new PythonLockHolder(child)
  }

  async release(): Promise<void> {
    this.child.stdin!.end('\n')
    if (this.child.exitCode === null) await once(this.child, 'exit')
  }
}

/**
 * A real file system without file locks (nolock_fs.py: FUSE over /dev/fuse) mounted on `dir`:
 * every lock request reaching it gets `errno`; with `fails: 'fcntl'` flock(2) stays local and
 * works. Needs root and /dev/fuse (`available()`).
 */
export class NoLockFs {
  private constructor(private readonly child: ChildProcess) {}

  static available(): boolean {
    return process.getuid?.() === 0 && existsSync('/dev/fuse')
  }

  static async mount(dir: string, fails: 'fcntl' | 'flock', errno: string): Promise<NoLockFs> {
    const child = spawn('python3', [path.join(SUPPORT, 'nolock_fs.py'), dir, fails, errno], {stdio: ['ignore', 'pipe', 'inherit']})
    const [chunk] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')])) as [Buffer | number]
    if (String(chunk).trim() !== 'ready') throw new Error(`nolock_fs.py did not mount ${dir} (${chunk})`)
    return new NoLockFs(child)
  }

  /** Unmounts (the server does, on SIGTERM) and waits for the server to exit. */
  async unmount(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = once(this.child, 'exit')
    this.child.kill('SIGTERM')
    await exited
  }
}

/** A non-blocking attempt from another process: 'free' or 'busy'. */
export async function tryLock(lockFile: string, kind: 'flock' | 'lockf'): Promise<'busy' | 'free'> {
  const {stdout} = await execFileP('python3', [path.join(SUPPORT, 'hold_lock.py'), lockFile, `try-${kind}`])
  return stdout.trim() as 'busy' | 'free'
}

/** An answer: a status and body (headers added, e.g. a Date far from ours), optionally late; or the connection closed. */
export type StubAnswer = 'close' | {body: string; delayMs?: number; headers?: Record<string, string>; status: number}

/** A request as the stub saw it: the form decoded, and the raw parts a signature covers. */
export interface StubRequest {
  authorization: string
  body: string
  form: Record<string, string>
  headers: http.IncomingHttpHeaders
  method: string
  path: string
}
/** A fixed answer, or one made for the request (by its Action, say). */
export type StubFallback = ((form: Record<string, string>) => StubAnswer) | StubAnswer

/** A wire-level STS stub: answers queued responses, then the default; records each request. */
export class StsStub {
  readonly requests: StubRequest[] = []
  private readonly queue: StubAnswer[] = []

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
    public fallback: StubFallback,
  ) {}

  static error(status: number, code: string, message: string): StubAnswer {
    return {
      body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>stub</RequestId></ErrorResponse>`,
      status,
    }
  }

  static async start(fallback: StubFallback = StsStub.success()): Promise<StsStub> {
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', c => {
        body += c
      })
      req.on('end', async () => {
        const form = Object.fromEntries(new URLSearchParams(body))
        stub.requests.push({
          authorization: String(req.headers.authorization ?? ''), body, form, headers: req.headers, method: req.method ?? '', path: req.url ?? '',
        })
        const answer = stub.queue.shift() ?? (typeof stub.fallback === 'function' ? stub.fallback(form) : stub.fallback)
        if (answer === 'close') {
          req.socket.destroy()
          return
        }

        if (answer.delayMs) await new Promise(resolve => {
          setTimeout(resolve, answer.delayMs)
        })
        res.writeHead(answer.status, {'content-type': 'text/xml', ...answer.headers})
        res.end(answer.body)
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const {port} = server.address() as net.AddressInfo
    const stub = new StsStub(server, `http://127.0.0.1:${port}`, fallback)
    return stub
  }

  /** Credentials as GetSessionToken (or, with action, AssumeRole) answers them. */
  static success(c: Partial<{accessKeyId: string; expiration: Date; secretAccessKey: string; sessionToken: string}> = {}, action: 'AssumeRole' | 'GetSessionToken' = 'GetSessionToken'): StubAnswer {
    const expiration = (c.expiration ?? new Date(Date.now() + 3_600_000)).toISOString()
    return {
      body: `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result><Credentials>
<AccessKeyId>${c.accessKeyId ?? 'ASIASTUBSTUBSTUB0001'}</AccessKeyId>
<SecretAccessKey>${c.secretAccessKey ?? 'stub/Secret+Key0000000000000000000000000'}</SecretAccessKey>
<SessionToken>${c.sessionToken ?? 'FwoGZXIvYXdzEStubSessionToken+/abc=='}</SessionToken>
<Expiration>${expiration}</Expiration>
</Credentials></${action}Result><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></${action}Response>`,
      status: 200,
    }
  }

  push(...answers: StubAnswer[]): this {
    this.queue.push(...answers)
    return this
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    this.server.close()
  }
}
