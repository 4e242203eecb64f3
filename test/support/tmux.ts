/**
 * A real terminal a person types into: a tmux server of our own (its own socket name, killed at
 * the end), one window running a command, its screen read with capture-pane.
 */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {waitFor} from './peers.js'

const execFileP = promisify(execFile)
let servers = 0

export class Tmux {
  private constructor(readonly socket: string, private readonly env: NodeJS.ProcessEnv) {}

  /** Runs `command` (through sh) in a new 160x40 tmux session on a server of its own. */
  static async open(command: string, env: NodeJS.ProcessEnv): Promise<Tmux> {
    const tmux = new Tmux(`mfa-creds-test-${process.pid}-${++servers}`, env)
    await tmux.run('-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '40', '-s', 'main', command)
    await tmux.run('set-option', '-t', 'main', 'remain-on-exit', 'on')
    return tmux
  }

  /** Sends keys: literal text, or tmux key names (Enter, C-c) with `keys`. */
  async keys(...names: string[]): Promise<void> {
    await this.run('send-keys', '-t', 'main', ...names)
  }

  async kill(): Promise<void> {
    await this.run('kill-server').catch(() => {})
  }

  /** What the pane shows now, trailing blanks dropped. */
  async screen(): Promise<string> {
    const {stdout} = await this.run('capture-pane', '-p', '-t', 'main')
    return stdout.replace(/\s+$/, '')
  }

  async text(literal: string): Promise<void> {
    await this.run('send-keys', '-t', 'main', '-l', literal)
  }

  /** Waits until the pane shows `pattern`; the screen then, for messages. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    let last = ''
    try {
      return await waitFor(async () => {
        last = await this.screen()
        return pattern.test(last) ? last : undefined
      }, timeoutMs, String(pattern))
    } catch (error) {
      throw new Error(`${(error as Error).message}; the pane shows:\n${last}`)
    }
  }

  private run(...args: string[]) {
    return execFileP('tmux', ['-L', this.socket, ...args], {env: this.env, timeout: 10_000})
  }
}
