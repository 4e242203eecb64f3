/**
 * A real X display (Xvfb, on a display number it picks itself) and a person at it: xdotool finds
 * windows and types through XTEST, which is what x11-ssh-askpass (grabbing the keyboard) listens to.
 */
import {ChildProcess, execFile, spawn} from 'node:child_process'
import {once} from 'node:events'
import {promises as fs} from 'node:fs'
import {promisify} from 'node:util'

import {waitFor} from './peers.js'

const execFileP = promisify(execFile)
export const ASKPASS_TITLE = 'OpenSSH Authentication Passphrase Request'

export class Display {
  private constructor(
    readonly name: string,
    private readonly server: ChildProcess,
  ) {}

  /**
   * Starts Xvfb; -displayfd makes it choose a free display number and tell us. -noreset: by
   * default an X server resets when its last client disconnects, and refuses connections while
   * it does; here every client (askpass, xdotool) is short-lived, so an askpass started just
   * after the last one closed could fail with "Can't open display" (exit 1, read as a cancel).
   * A desktop session always has clients (a window manager), so users never see such a reset.
   */
  static async start(): Promise<Display> {
    const server = spawn('Xvfb', ['-displayfd', '3', '-noreset', '-nolisten', 'tcp', '-screen', '0', '1024x768x24'], {stdio: ['ignore', 'ignore', 'ignore', 'pipe']})
    let told = ''
    const number = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Xvfb did not start in 15 s')), 15_000)
      server.stdio[3]!.on('data', (chunk: Buffer) => {
        told += chunk
        if (told.includes('\n')) {
          clearTimeout(timer)
          resolve(told.trim())
        }
      })
      server.on('exit', code => reject(new Error(`Xvfb exited with ${code}`)))
    })
    return new Display(`:${number}`, server)
  }

  /** Ids of the windows with this exact title, once at least one is mapped. */
  async findWindows(title: string, timeoutMs = 20_000): Promise<string[]> {
    return waitFor(async () => {
      const ids = await this.windows(title)
      return ids.length > 0 ? ids : undefined
    }, timeoutMs, `a window titled "${title}"`)
  }

  async gone(window: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(async () => ((await this.windows(ASKPASS_TITLE)).includes(window) ? undefined : true), timeoutMs, `window ${window} to close`)
  }

  /** Presses keys (xdotool names: Return, Escape) on whatever holds the keyboard. */
  async key(...keys: string[]): Promise<void> {
    await this.xdotool('key', '--delay', '30', ...keys)
  }

  async stop(): Promise<void> {
    if (this.server.exitCode !== null) return
    this.server.kill('SIGTERM')
    await once(this.server, 'exit')
  }

  /** Types text through XTEST, as a keyboard would. */
  async type(text: string): Promise<void> {
    await this.xdotool('type', '--delay', '30', text)
  }

  /** Ids of the windows mapped now with this exact title (WM_NAME, as xdotool matches it). */
  async windows(title: string): Promise<string[]> {
    const {stdout} = await this.xdotool('search', '--onlyvisible', '--name', `^${title}$`).catch(() => ({stdout: ''}))
    return stdout.split('\n').filter(Boolean)
  }

  private xdotool(...args: string[]) {
    return execFileP('xdotool', args, {env: {...process.env, DISPLAY: this.name}, timeout: 10_000})
  }
}

/** The pid and argument vector of the one child process of `parent` named `name` (from /proc). */
export async function childProcess(parent: number, name: string): Promise<{argv: string[]; pid: number}> {
  return waitFor(async () => {
    for (const entry of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid !== parent) continue
      const argv = (await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean)
      if (argv[0]?.endsWith(name)) return {argv, pid: Number(entry)}
    }
  }, 10_000, `a ${name} child of ${parent}`)
}

/** The argument vector of the one child process of `parent` named `name` (from /proc). */
export async function childCommandLine(parent: number, name: string): Promise<string[]> {
  return (await childProcess(parent, name)).argv
}

/** The processes of process group `group` that are left (from /proc; zombies count as gone). */
export async function groupMembers(group: number): Promise<number[]> {
  const members: number[] = []
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    // After the comm: state ppid pgrp ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (Number(pgrp) === group && state !== 'Z') members.push(Number(entry))
  }

  return members
}
