/**
 * A real temp HOME with ~/.aws, and the real CLI (bin/run.js, built) run in it as a child
 * process with no controlling terminal (setsid), so the prompt choice is what the test sets.
 */
import {ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

import {
  ROOT, StsStub, StubFallback, SUPPORT,
} from './peers.js'

export const BIN = path.join(ROOT, 'bin', 'run.js')
export const SERIAL = 'arn:aws:iam::123456789012:mfa/alice'
export const LONG_TERM = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
}

export const DEFAULT_CREDENTIALS = `[default]
aws_access_key_id = ${LONG_TERM.accessKeyId}
aws_secret_access_key = ${LONG_TERM.secretAccessKey}
`

export interface RunResult {
  code: null | number
  signal: null | string
  stderr: string
  stdout: string
}

/** A recording ssh-askpass: logs its prompt argument, optionally sleeps or fails, prints a code. */
const ASKPASS = `#!/bin/sh
printf '%s\\n' "$1" >> "$ASKPASS_LOG"
if [ -n "$ASKPASS_TIMES" ]; then date +%s.%N >> "$ASKPASS_TIMES"; fi
if [ -n "$ASKPASS_SLEEP" ]; then sleep "$ASKPASS_SLEEP"; fi
if [ -n "$ASKPASS_EXIT" ]; then exit "$ASKPASS_EXIT"; fi
code=""
if [ -s "$ASKPASS_CODES" ]; then
  code=$(head -n 1 "$ASKPASS_CODES")
  tail -n +2 "$ASKPASS_CODES" > "$ASKPASS_CODES.next" && mv "$ASKPASS_CODES.next" "$ASKPASS_CODES"
fi
printf '%s\\n' "\${code:-123456}"
`

export class Sandbox {
  readonly askpass: string
  readonly askpassCodes: string
  readonly askpassLog: string
  readonly aws: string
  readonly configFile: string
  readonly credentialsFile: string
  readonly home: string

  private constructor(readonly root: string) {
    this.home = path.join(root, 'home')
    this.aws = path.join(this.home, '.aws')
    this.credentialsFile = path.join(this.aws, 'credentials')
    this.configFile = path.join(this.aws, 'config')
    this.askpass = path.join(root, 'askpass.sh')
    this.askpassLog = path.join(root, 'askpass.log')
    this.askpassCodes = path.join(root, 'askpass.codes')
  }

  /** A sandbox whose credentials file holds `credentials` (none at all for null). */
  static async create(credentials: null | string = DEFAULT_CREDENTIALS): Promise<Sandbox> {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-test-'))
    const box = new Sandbox(root)
    await fs.mkdir(box.aws, {mode: 0o700, recursive: true})
    await fs.writeFile(box.askpass, ASKPASS, {mode: 0o755})
    if (credentials !== null) await fs.writeFile(box.credentialsFile, credentials, {mode: 0o600})
    return box
  }

  get lockFile(): string {
    return path.join(this.aws, '.credentials.lock')
  }

  /** The prompts ssh-askpass was run with, in order. */
  async askpassCalls(): Promise<string[]> {
    const text = await fs.readFile(this.askpassLog, 'utf8').catch(() => '')
    return text.split('\n').filter(Boolean)
  }

  async cleanup(): Promise<void> {
    await fs.rm(this.root, {force: true, recursive: true})
  }

  /** A clean environment: no AWS_* or DISPLAY from the test runner, askpass forced. */
  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ASKPASS_CODES: this.askpassCodes,
      ASKPASS_LOG: this.askpassLog,
      HOME: this.home,
      LANG: 'C.UTF-8',
      PATH: process.env.PATH,
      SSH_ASKPASS: this.askpass,
      SSH_ASKPASS_REQUIRE: 'force',
      TZ: 'UTC',
    }
    // MFA_CREDS_FAST=0 in the runner's environment sends every command through oclif (.ci/run
    // runs the suites of the fast commands so too: both paths pass the same tests).
    if (process.env.MFA_CREDS_FAST !== undefined) env.MFA_CREDS_FAST = process.env.MFA_CREDS_FAST
    // A whole suite can run against the SDK's STS client: MFA_CREDS_STS_CLIENT=sdk npx mocha ...
    if (process.env.MFA_CREDS_STS_CLIENT) env.MFA_CREDS_STS_CLIENT = process.env.MFA_CREDS_STS_CLIENT
    for (const [key, value] of Object.entries(extra)) {
      if (value === undefined) delete env[key]
      else env[key] = value
    }

    return env
  }

  /**
   * `mfa-creds plugins link --no-install DIR`: a plugin of this repository resolves
   * `@mfa-creds/sdk` through the repository's node_modules (the npm workspace's link to
   * packages/sdk), so nothing is installed, and no registry is asked.
   */
  async link(dir: string, env: Record<string, string | undefined> = {}): Promise<RunResult> {
    return this.run(['plugins', 'link', '--no-install', dir], env)
  }

  /**
   * The env that makes the CLI log every module it resolves into `log` (test/support/module-log.mjs),
   * for a test that checks what it loaded (oclif, the AWS SDK).
   */
  moduleLogEnv(log: string): {MODULE_LOG: string; NODE_OPTIONS: string} {
    return {MODULE_LOG: log, NODE_OPTIONS: `--import=${pathToFileURL(path.join(SUPPORT, 'module-log.mjs')).href}`}
  }

  /**
   * An askpass that records what a child of mfa-creds can see while the code is asked for: its
   * own environment and command line, and its parent's (mfa-creds). Returns the env to run with
   * (SSH_ASKPASS) and where the record goes.
   */
  async peekingAskpass(): Promise<{env: {SSH_ASKPASS: string}; seen: string}> {
    const seen = path.join(this.root, 'seen')
    const askpass = path.join(this.root, 'peeking-askpass.sh')
    const peek = `{ tr '\\0' '\\n' < /proc/$$/environ; tr '\\0' ' ' < /proc/$$/cmdline; tr '\\0' ' ' < /proc/$PPID/cmdline; tr '\\0' '\\n' < /proc/$PPID/environ; } >> "${seen}" 2>&1`
    await fs.writeFile(askpass, `#!/bin/sh\n${peek}\necho 123456\n`, {mode: 0o755})
    return {env: {SSH_ASKPASS: askpass}, seen}
  }

  async readCredentials(): Promise<string> {
    return fs.readFile(this.credentialsFile, 'utf8')
  }

  /** Runs the CLI to completion. */
  async run(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
    return collect(this.start(args, env))
  }

  /** Runs the CLI to completion with its modules logged (moduleLogEnv): the run, and what it resolved. */
  async runLogged(args: string[], env: Record<string, string | undefined> = {}): Promise<{modules: string[]; result: RunResult}> {
    const log = path.join(this.root, `modules-${Date.now()}-${Math.random()}.log`)
    const result = await this.run(args, {...this.moduleLogEnv(log), ...env})
    const modules = (await fs.readFile(log, 'utf8')).split('\n').filter(Boolean)
    return {modules, result}
  }

  async setCodes(...codes: string[]): Promise<void> {
    await fs.writeFile(this.askpassCodes, codes.map(c => `${c}\n`).join(''))
  }

  /** Starts the CLI without waiting (detached: its own session, no controlling terminal). */
  start(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
    return spawn(process.execPath, [BIN, ...args], {
      cwd: this.root, detached: true, env: this.env(env), stdio: ['ignore', 'pipe', 'pipe'],
    })
  }
}

/** Waits for a started CLI to end, with everything it printed. */
export async function collect(child: ChildProcess): Promise<RunResult> {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', c => {
    stdout += c
  })
  child.stderr!.on('data', c => {
    stderr += c
  })
  const [code, signal] = (await once(child, 'close')) as [null | number, null | string]
  return {
    code, signal, stderr, stdout,
  }
}

/**
 * For each test of the calling suite: a fresh sandbox (its credentials file holding
 * `credentials`, none for null) and a fresh stub STS (answering `answer`), both cleaned up after.
 */
export function sandboxWithStub(credentials: null | string = DEFAULT_CREDENTIALS, answer?: StubFallback): {box: Sandbox; stub: StsStub} {
  const fixture = {} as {box: Sandbox; stub: StsStub}
  beforeEach(async () => {
    fixture.box = await Sandbox.create(credentials)
    fixture.stub = await StsStub.start(answer)
  })
  afterEach(async () => {
    await fixture.stub.stop()
    await fixture.box.cleanup()
  })
  return fixture
}

/**
 * For each test of a plugin's suite: a sandbox whose PATH starts with fake programs (name -> a
 * script of the plugin's test folder), a data dir of its own, and the plugin linked.
 */
type Env = Record<string, string>

export function pluginSandbox(plugin: string, fakes: Env, extra: (box: Sandbox) => Env | Promise<Env> = () => ({})): {box: Sandbox; env: Env} {
  const fixture = {} as {box: Sandbox; env: Env}
  beforeEach(async () => {
    fixture.box = await Sandbox.create()
    const bin = path.join(fixture.box.root, 'bin')
    await fs.mkdir(bin)
    for (const [name, script] of Object.entries(fakes)) {
      await fs.copyFile(path.join(plugin, 'test', script), path.join(bin, name))
      await fs.chmod(path.join(bin, name), 0o755)
    }

    fixture.env = {MFA_CREDS_DATA_DIR: path.join(fixture.box.root, 'data'), PATH: `${bin}:${process.env.PATH}`, ...(await extra(fixture.box))}
    const linked = await fixture.box.link(plugin, fixture.env)
    if (linked.code !== 0) throw new Error(`plugins link ${plugin} failed: ${linked.stderr}`)
  })
  afterEach(() => fixture.box.cleanup())
  return fixture
}
