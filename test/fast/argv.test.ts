/**
 * The fast entry's parser against oclif's own, in process: every argv of a corpus that it
 * answers, it answers with exactly the flags oclif parses (defaults, integers, options, repeats,
 * negations, the forms of a value); the rest it declines, and oclif says what is wrong.
 */
import {Flags, Interfaces, Parser} from '@oclif/core'
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import path from 'node:path'

import CredentialProcess from '../../src/commands/credential-process.js'
import Export from '../../src/commands/export.js'
import Lock from '../../src/commands/lock.js'
import RefreshOnce from '../../src/commands/refresh-once.js'
import Status from '../../src/commands/status.js'
import Watch from '../../src/commands/watch.js'
import {parseFlags} from '../../src/fast/argv.js'
import {FastTable} from '../../src/fast/table.js'
import {ROOT} from '../support/peers.js'

const COMMANDS = {
  'credential-process': CredentialProcess, export: Export, lock: Lock, 'refresh-once': RefreshOnce, status: Status, watch: Watch,
}

function valuesFor(spec: FastTable['commands'][string]['flags'][string]): string[] {
  if (spec.options) return [...spec.options, 'nope']
  if (spec.kind === 'string') return ['work', '', 'a=b', '-x', '--force', 'with space']
  const min = spec.min ?? 0
  const max = spec.max ?? 99
  return [String(min), String(min - 1), String(max), String(max + 1), '12x', '', '007', '-3']
}

/** Flag forms and values, valid and not, for each kind of flag. */
function corpus(id: string, table: FastTable): string[][] {
  const {flags} = table.commands[id]
  const out: string[][] = [[]]
  for (const [name, spec] of Object.entries(flags)) {
    if (spec.kind === 'boolean') {
      out.push([`--${name}`], [`--${name}`, `--${name}`], [`--${name}=true`], [`--no-${name}`], ['--profile', 'p', `--${name}`])
      continue
    }

    const values = valuesFor(spec)
    for (const value of values) {
      out.push([`--${name}`, value], [`--${name}=${value}`], ['--force', `--${name}`, value])
      if (spec.char) out.push([`-${spec.char}`, value], [`-${spec.char}${value}`], [`-${spec.char}=${value}`])
    }

    out.push([`--${name}`], [`--${name}`, values[0], `--${name}`, values[0]], [`--${name}`, values[0], 'bare'])
  }

  out.push(['--help'], ['-h'], ['--'], ['-'], ['bare'], ['--json'], ['--bogus'], ['-z', 'x'], ['--exit-on-error', '--keep-going'], ['--keep-going', '-p', 'a', '-p', 'b'])
  return out
}

describe('the fast entry parses flags as oclif does', () => {
  const table = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'fast-table.json'), 'utf8')) as FastTable

  for (const [id, Command] of Object.entries(COMMANDS)) {
    it(`${id}: each argv it answers, with oclif's values`, async () => {
      const flags: Interfaces.FlagInput = {...(Command.enableJsonFlag ? {json: Flags.boolean()} : {}), ...Command.baseFlags, ...Command.flags}
      let answered = 0
      let declined = 0
      for (const argv of corpus(id, table)) {
        const fast = parseFlags(argv, table.commands[id].flags)
        let oclif: Record<string, unknown> | undefined
        try {
          oclif = (await Parser.parse(argv, {args: {}, flags, strict: Command.strict !== false})).flags
        } catch {
          oclif = undefined
        }

        if (fast === undefined) {
          declined++
          continue
        }

        answered++
        assert.ok(oclif, `${id} ${JSON.stringify(argv)}: answered, but oclif refuses it`)
        assert.deepEqual(fast, oclif, `${id} ${JSON.stringify(argv)}`)
      }

      assert.ok(answered >= 5 && declined >= 5, `a corpus that tests both sides (${answered} answered, ${declined} declined)`)
    })
  }
})
