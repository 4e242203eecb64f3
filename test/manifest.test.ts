import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {ROOT} from './support/peers.js'

describe('build: oclif.manifest.json', () => {
  it('lists every built command, with its flags and examples, for this version', async () => {
    const manifest = JSON.parse(await fs.readFile(path.join(ROOT, 'oclif.manifest.json'), 'utf8'))
    const pkg = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8'))
    assert.equal(manifest.version, pkg.version)
    const built = (await fs.readdir(path.join(ROOT, 'dist', 'commands'), {recursive: true}))
      .filter(f => f.endsWith('.js'))
      .map(f => f.replace(/\.js$/, '').replaceAll(path.sep, ':'))
      .sort()
    assert.ok(built.includes('refresh-once'))
    assert.deepEqual(Object.keys(manifest.commands).sort(), built)
    for (const [id, command] of Object.entries<{examples?: unknown[]; flags: Record<string, unknown>}>(manifest.commands)) {
      assert.ok((command.examples ?? []).length > 0, `${id} has no examples`)
    }

    assert.ok(manifest.commands['refresh-once'].flags['mfa-serial-number'])
  })
})
