import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

import {ConfigError, UsageError} from '../../../src/core/errors.js'
import {launchdPlist, ServiceSpec, systemdUnit} from '../../../src/core/os/service.js'

const execFileP = promisify(execFile)

/** Every character that means something to systemd's unit syntax, or to a shell, or to a line. */
const AWKWARD = String.raw`we%ird "dq" 'sq' $HOME ${'$'}{X} \back ; #h` + '\ttab\nExecStartPre=/bin/false\rcr\u0001soh\u007Fdel é'

/**
 * A reading of one unit-file value as systemd.syntax(7) "Quoting" describes it (words split on
 * white space, "..." and '...' quoting, C escapes), then specifiers (only %% is expected here) and,
 * for command arguments, $$: so the test can say what systemd hands the program.
 */
function systemdWords(value: string, dollars: boolean): string[] {
  const words: string[] = []
  let i = 0
  const escapes: Record<string, string> = {
    '"': '"', "'": "'", '\\': '\\', a: '\u0007', b: '\b', f: '\f', n: '\n', r: '\r', s: ' ', t: '\t', v: '\v',
  }
  while (i < value.length) {
    while (value[i] === ' ' || value[i] === '\t') i++
    if (i >= value.length) break
    let word = ''
    let quote = ''
    for (; i < value.length; i++) {
      const c = value[i]
      if (!quote && (c === ' ' || c === '\t')) break
      if (c === '\\') {
        const next = value[++i]
        if (next === 'x') {
          word += String.fromCodePoint(Number.parseInt(value.slice(i + 1, i + 3), 16))
          i += 2
        } else if (next in escapes) {
          word += escapes[next]
        } else {
          throw new Error(`unknown escape \\${next} in ${value}`)
        }
      } else if (quote && c === quote) {
        quote = ''
      } else if (!quote && (c === '"' || c === "'")) {
        quote = c
      } else {
        word += c
      }
    }

    assert.equal(quote, '', `unterminated quote in ${value}`)
    assert.doesNotMatch(word.replaceAll('%%', ''), /%/, `a specifier systemd would expand in ${JSON.stringify(word)}`)
    word = word.replaceAll('%%', '%')
    if (dollars) {
      assert.doesNotMatch(word.replaceAll('$$', ''), /\$/, `a variable systemd would expand in ${JSON.stringify(word)}`)
      word = word.replaceAll('$$', '$')
    }

    words.push(word)
  }

  return words
}

describe('service files: every value comes back exactly, none adds a directive', () => {
  let dir: string

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-service-'))
  })

  afterEach(() => fs.rm(dir, {force: true, recursive: true}))

  const spec = (command: string[], env: Record<string, string>, platform: 'darwin' | 'linux' = 'linux'): ServiceSpec => ({
    command, env, home: '/home/alice', platform,
  })

  /** The unit's lines as [key, value], headers and comments left out. */
  function directives(unit: string): [string, string][] {
    return unit.split('\n').filter(line => line && !line.startsWith('#') && !line.startsWith('[')).map(line => {
      const at = line.indexOf('=')
      return [line.slice(0, at), line.slice(at + 1)]
    })
  }

  it('systemd: a program path with every awkward printable character is the path systemd-analyze verify runs', async () => {
    // systemd itself refuses control characters, quotes and backslashes in a program's path (below)

    const awkwardDir = path.join(dir, AWKWARD.replaceAll(/[/"'\\\u0000-\u001F\u007F]/g, ''))
    await fs.mkdir(awkwardDir)
    const program = path.join(awkwardDir, 'node')
    await fs.writeFile(program, '#!/bin/sh\n', {mode: 0o755})
    const file = path.join(dir, 'mfa-creds.service')
    await fs.writeFile(file, systemdUnit(spec([program, 'watch'], {DISPLAY: ':0'})))
    const verified = await execFileP('systemd-analyze', ['verify', file]).then(() => 'ok', (error: {stderr: string}) => error.stderr)
    assert.equal(verified, 'ok')
  })

  it('systemd: an environment value or an argument with line breaks, quotes, % and $ stays one value', async () => {
    const program = path.join(dir, 'node')
    await fs.writeFile(program, '#!/bin/sh\n', {mode: 0o755})
    const command = [program, '/opt/my tools/run.js', 'watch', '--profile', AWKWARD, '--profile', '', '--profile', ';']
    const env = {DISPLAY: `:0\nExecStartPre=/bin/touch ${dir}/pwned`, PATH: `/usr/bin:${AWKWARD}`, SSH_ASKPASS: String.raw`/x/%h/$HOME/"a\b"`}
    const unit = systemdUnit(spec(command, env))
    const lines = directives(unit)
    assert.deepEqual(lines.map(([key]) => key), [
      'Description', 'After', 'Type', 'ExecStart', 'Environment', 'Environment', 'Environment', 'Restart', 'RestartSec', 'WantedBy',
    ])
    const [exec] = lines.filter(([key]) => key === 'ExecStart').map(([, value]) => value)
    const [path0, ...args] = systemdWords(exec, false)
    assert.deepEqual([path0, ...systemdWords(exec, true).slice(1)], command)
    assert.equal(args.length, command.length - 1)
    const environment = lines.filter(([key]) => key === 'Environment').map(([, value]) => systemdWords(value, false))
    assert.deepEqual(environment, Object.entries(env).map(([key, value]) => [`${key}=${value}`]))

    const file = path.join(dir, 'mfa-creds.service')
    await fs.writeFile(file, unit)
    const verified = await execFileP('systemd-analyze', ['verify', file]).then(() => 'ok', (error: {stderr: string}) => error.stderr)
    assert.equal(verified, 'ok')
  })

  it('launchd: &, <, >, tabs, line breaks and carriage returns come back exactly from the property list', async () => {
    const text = 'a&b<c>d]]>e\tf\ng\rh\r\ni "q" \'s\' é'
    const plist = launchdPlist(spec(['/usr/bin/node', '/opt/run.js', 'watch', '--profile', text], {DISPLAY: text, PATH: '/usr/bin'}, 'darwin'))
    const script = 'import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'
    const child = execFileP('python3', ['-c', script])
    child.child.stdin!.end(plist)
    const parsed = JSON.parse((await child).stdout)
    assert.deepEqual(parsed.ProgramArguments, ['/usr/bin/node', '/opt/run.js', 'watch', '--profile', text])
    assert.deepEqual(parsed.EnvironmentVariables, {DISPLAY: text, PATH: '/usr/bin'})
  })

  it('launchd: a character XML 1.0 cannot hold is refused, naming where it is', () => {
    assert.throws(
      () => launchdPlist(spec(['/usr/bin/node', 'watch'], {DISPLAY: ':0\u0001'}, 'darwin')),
      (error: Error) => error instanceof ConfigError && /DISPLAY holds U\+0001, which a launchd property list \(XML 1\.0\) cannot hold/.test(error.message),
    )
    assert.throws(
      () => launchdPlist(spec(['/usr/bin/node', 'watch', '--profile', 'a\u001Bb'], {}, 'darwin')),
      (error: Error) => error instanceof UsageError && /the argument "a\\u001bb" holds U\+001B/.test(error.message),
    )
    assert.throws(() => launchdPlist(spec(['/usr/bin/node', 'watch', '--profile', 'a\uFFFEb'], {}, 'darwin')), UsageError)
  })

  it('systemd: a NUL, which no argument or variable can hold, is refused; so is what systemd refuses in a program path', () => {
    assert.throws(() => systemdUnit(spec(['/usr/bin/node', 'a\u0000b'], {})), UsageError)
    assert.throws(() => systemdUnit(spec(['/usr/bin/node', 'watch'], {DISPLAY: ':0\u0000'})), ConfigError)
    assert.throws(
      () => systemdUnit(spec(['/opt/new\nline/node', 'watch'], {})),
      (error: Error) => error instanceof ConfigError && /the program path "\/opt\/new\\nline\/node" holds U\+000A, which systemd does not accept in a program's path/.test(error.message),
    )
    for (const char of ['"', "'", '\\']) assert.throws(() => systemdUnit(spec([`/opt/a${char}b/node`, 'watch'], {})), ConfigError)
  })
})
