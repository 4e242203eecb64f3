/**
 * A real password store for the tests: a GNUPGHOME of its own with a throwaway key (no
 * passphrase), and `pass init` with that key in a store of its own; the gpg-agents the tests
 * start (gpg starts one per GNUPGHOME) are ended and waited for.
 */
import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {runInOwnGroup} from '../../../packages/sdk/src/own-group.js'
import {waitFor} from '../../../test/support/peers.js'

export interface PassStore {
  /** What a process needs to use it: GNUPGHOME and PASSWORD_STORE_DIR. */
  env: {GNUPGHOME: string; PASSWORD_STORE_DIR: string}
  fingerprint: string
}

/** Runs a tool of the set-up (gpg, gpgconf, pass) to its end; stdin is `input`, when given. */
export async function tool(file: string, args: string[], env: Record<string, string>, input?: string): Promise<{code: null | number; stderr: string; stdout: string}> {
  const outcome = await runInOwnGroup(file, args, {env: {...process.env, ...env}, input, timeoutMs: 60_000})
  if (outcome.type !== 'exited') throw new Error(`${file} ${args.join(' ')}: ${outcome.type}${outcome.type === 'spawn-failed' ? ` ${outcome.error.message}` : ''}`)
  return outcome
}

/** Every GNUPGHOME made (or pointed at) by a test: its agent is ended after the test. */
const homes = new Set<string>()

/** An empty GNUPGHOME (no keys at all), whose agent is ended after the test too. */
export async function gnupgHome(dir: string): Promise<string> {
  await fs.mkdir(dir, {mode: 0o700, recursive: true})
  homes.add(dir)
  return dir
}

/** A GNUPGHOME with a fresh key, and a password store initialised for it, under `root`. */
export async function passStore(root: string): Promise<PassStore> {
  const GNUPGHOME = await gnupgHome(path.join(root, 'gnupg'))
  const PASSWORD_STORE_DIR = path.join(root, 'store')
  const made = await tool('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'mfa-creds test <t@example.invalid>', 'default', 'default', 'never'], {GNUPGHOME})
  assert.equal(made.code, 0, made.stderr)
  const listed = await tool('gpg', ['--batch', '--list-secret-keys', '--with-colons'], {GNUPGHOME})
  const fingerprint = /^fpr:+([\dA-F]{40}):/m.exec(listed.stdout)?.[1]
  assert.ok(fingerprint, listed.stdout)
  const init = await tool('pass', ['init', fingerprint], {GNUPGHOME, PASSWORD_STORE_DIR})
  assert.equal(init.code, 0, init.stderr)
  return {env: {GNUPGHOME, PASSWORD_STORE_DIR}, fingerprint}
}

/** `pass insert --multiline --force ENTRY` with `text` on stdin (set-up, not the plugin). */
export async function insert(store: PassStore, entry: string, text: string): Promise<void> {
  const inserted = await tool('pass', ['insert', '--multiline', '--force', entry], store.env, text)
  assert.equal(inserted.code, 0, inserted.stderr)
}

/** The gpg-agents alive (not zombies) whose home is `home`, by pid. */
export async function agentsOf(home: string): Promise<number[]> {
  const pids: number[] = []
  for (const name of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const [cmdline, stat] = await Promise.all([
      fs.readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''),
      fs.readFile(`/proc/${name}/stat`, 'utf8').catch(() => ''),
    ])
    const words = cmdline.split('\0')
    const zombie = stat === '' || stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z'
    if (!zombie && path.basename(words[0]) === 'gpg-agent' && words.includes(home)) pids.push(Number(name))
  }

  return pids
}

/** Ends the agent of every GNUPGHOME of the test (gpgconf --kill), and waits until none is left. */
export async function endAgents(): Promise<void> {
  for (const home of homes) {
    await tool('gpgconf', ['--kill', 'gpg-agent'], {GNUPGHOME: home}).catch(() => {})
    await waitFor(async () => (await agentsOf(home)).length === 0 || undefined, 15_000, `the gpg-agent of ${home} to end`)
  }

  homes.clear()
}
