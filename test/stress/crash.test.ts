import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {once} from 'node:events'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {setSectionValues} from '../../src/core/ini/edit.js'
import {parseIni} from '../../src/core/ini/parse.js'
// @ts-expect-error: a plain ESM helper shared with the writer process
import {generation} from '../support/crash-generation.mjs'
import {
  botocoreView, getMoto, ROOT, SUPPORT,
} from '../support/peers.js'
import {DEFAULT_CREDENTIALS, Sandbox, SERIAL} from '../support/sandbox.js'
import {scale} from '../support/stress.js'

const BASE = `# hand-written; comments and odd spacing must survive\r\n${DEFAULT_CREDENTIALS.replaceAll('\n', '\r\n')}\r\n[work]\r\naws_access_key_id: AKIAWORK\r\naws_secret_access_key = work/secret\r\n  ; an indented comment\r\n`

const expected = (n: number): string => (n === 0 ? BASE : setSectionValues(parseIni(BASE), 'crash-mfa', generation(n)))

const pause = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

/** Starts the writer, lets it write for a random moment, kills it with SIGKILL. */
async function killMidWrite(file: string): Promise<void> {
  const child = spawn(process.execPath, [path.join(SUPPORT, 'crash-writer.mjs'), ROOT, file], {
    env: {...process.env, MFA_CREDS_TEST_PAUSE_BEFORE_RENAME_MS: String(Math.floor(Math.random() * 15))},
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await once(child.stdout!, 'data')
  await pause(Math.random() * 60)
  child.kill('SIGKILL')
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
}

describe('stress: writers killed at random moments', () => {
  const kills = scale(60, 500)
  const lanes = 3

  it(`leaves the old file or the new one, never a mix, through ${kills} SIGKILLs mid-write; the next run cleans up`, async function () {
    this.timeout(scale(180_000, 900_000))
    const box = await Sandbox.create(null)
    try {
      const seen = new Map<string, string>()
      let caughtWithTemp = 0
      let generations = 0
      await Promise.all(Array.from({length: lanes}, async (_, lane) => {
        const dir = path.join(box.root, `lane${lane}`)
        await fs.mkdir(dir)
        const file = path.join(dir, 'credentials')
        await fs.writeFile(file, BASE, {mode: 0o600})
        let previous = 0
        for (let i = 0; i < Math.ceil(kills / lanes); i++) {
          await killMidWrite(file)
          const text = await fs.readFile(file, 'utf8')
          const n = Number(/ASIACRASH(\d+)/.exec(text)?.[1] ?? 0)
          assert.ok(n >= previous, `generation went back from ${previous} to ${n}`)
          assert.equal(text, expected(n), `after kill ${i} the file is neither the old nor the new content`)
          seen.set(`${lane}:${n}`, text)
          previous = n
          // Killed between writing its temp file and renaming it (each writer removes the ones dead writers left).
          if ((await fs.readdir(dir)).some(f => f.endsWith('.tmp'))) caughtWithTemp++
        }

        generations += previous
        // The next successful run (the real CLI) removes what the killed writers left behind.
        const result = await box.run(['refresh-once', '--mfa-serial-number', SERIAL, '--force'], {AWS_ENDPOINT_URL: (await getMoto()).url, AWS_SHARED_CREDENTIALS_FILE: file})
        assert.equal(result.code, 0, result.stderr)
        assert.deepEqual((await fs.readdir(dir)).filter(f => f !== 'credentials' && f !== '.credentials.lock' && f !== '.mfa-creds'), [])
      }))

      // botocore reads every state the kills left.
      const files = []
      for (const [key, text] of seen) {
        const file = path.join(box.root, `state-${key.replace(':', '-')}`)
        await fs.writeFile(file, text)
        files.push(file)
      }

      for (const [i, result] of (await botocoreView(...files)).entries()) assert.ok(result.view?.default, `botocore cannot read ${files[i]}: ${result.error}`)
      console.log(`      ${lanes * Math.ceil(kills / lanes)} kills over ${generations} complete writes; after ${caughtWithTemp} of them a temp file was left behind, all removed by the next run`)
    } finally {
      await box.cleanup()
    }
  })
})
