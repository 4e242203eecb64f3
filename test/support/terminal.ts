import {ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'

import {waitFor} from './peers.js'

/** Runs a shell command on a real pseudo-terminal (util-linux script), typing into it on demand. */
export class Terminal {
  output = ''

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', c => {
      this.output += c
    })
  }

  static open(command: string, env: NodeJS.ProcessEnv): Terminal {
    return new Terminal(spawn('script', ['-qfec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'inherit']}))
  }

  async exit(): Promise<null | number> {
    if (this.child.exitCode !== null) return this.child.exitCode
    const [code] = (await once(this.child, 'exit')) as [null | number]
    return code
  }

  type(text: string): void {
    this.child.stdin!.write(text)
  }

  /** Waits until the output shows `pattern` `count` times. */
  async waitFor(pattern: RegExp, count = 1): Promise<void> {
    const global = new RegExp(pattern.source, 'g')
    try {
      await waitFor(() => ((this.output.match(global) ?? []).length >= count ? true : undefined), 20_000, `${pattern} x${count}`)
    } catch (error) {
      throw new Error(`${(error as Error).message}; the terminal shows:\n${JSON.stringify(this.output)}`)
    }
  }
}
