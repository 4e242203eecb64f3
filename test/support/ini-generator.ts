/** Generated INI files for the editor's proofs (edit-proof, remove-proof): what configparser may or may not accept, deterministic by seed. */
import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {botocoreView, parseIni, readIni} from '../../src/core/ini/parse.js'
import {IniFileSnapshot} from '../../src/core/ini/snapshot.js'
import {botocoreView as pythonView} from './peers.js'

/** A small deterministic generator (mulberry32), so that a failure names a seed that repeats it. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D_2B_79_F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export const NAMES = ['default', 'dev', 'dev-mfa', 'prod-mfa', 'DEFAULT', 'profile x', 'we]ird']
export const KEYS = ['aws_access_key_id', 'AWS_Secret_Access_Key', 'aws_session_token', 'expiration', 'region', 's3', 'output']

/** A file configparser may or may not accept; the caller keeps those it accepts. */
export function generate(next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]
  const indent = () => pick(['', '', '', ' ', '  ', '\t', '    '])
  const eols = pick([['\n'], ['\r\n'], ['\r'], ['\n', '\r\n']])
  const lines: string[] = []
  if (next() < 0.2) lines.push(pick(['# leading comment', '', '; note']))
  const blocks = Math.floor(next() * 7)
  for (let b = 0; b < blocks; b++) {
    lines.push(`${indent()}[${pick(NAMES)}]`)
    const body = Math.floor(next() * 6)
    for (let l = 0; l < body; l++) {
      const roll = next()
      if (roll < 0.45) lines.push(`${indent()}${pick(KEYS)}${pick([' = ', '=', ': ', ' :'])}${pick(['v1', 'a=b', '', 'x y', 'tok/en+=='])}`)
      else if (roll < 0.6) lines.push(`${pick(['      ', '\t\t', '        '])}${pick(['more', 'k = v', 'max = 10'])}`)
      else if (roll < 0.75) lines.push('')
      else if (roll < 0.9) lines.push(`${indent()}${pick(['#', ';'])} comment`)
      else lines.push(`${indent()}s3 =`, `${pick(['  ', '    '])}max_concurrent_requests = 4`)
    }
  }

  let text = ''
  for (const [i, line] of lines.entries()) text += line + (i < lines.length - 1 || next() < 0.7 ? pick(eols) : '')
  return text
}

export function snapshot(text: string): IniFileSnapshot {
  const {doc, view} = readIni(text)
  return {
    doc, exists: true, path: 'generated', text, view,
  }
}

/** Asserts that botocore reads each edited text exactly as our reader does. */
export async function assertBotocoreReads(sample: ReadonlyArray<{after: string; seed: number}>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-proof-'))
  try {
    const files = await Promise.all(sample.map(async (c, i) => {
      const file = path.join(dir, `c${i}`)
      await fs.writeFile(file, c.after)
      return file
    }))
    const views = await pythonView(...files)
    for (const [i, c] of sample.entries()) {
      assert.deepEqual(views[i].view, botocoreView(parseIni(c.after)), `seed ${c.seed}: botocore reads ${JSON.stringify(c.after)} otherwise`)
    }
  } finally {
    await fs.rm(dir, {force: true, recursive: true})
  }
}
