import assert from 'node:assert/strict'
import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {
  askpassFound, AutoProbes, chooseAuto, KDE_FIRST, WINDOWS_ORDER,
} from '../../src/prompts/auto.js'

/** Probes of a made-up machine: a terminal or not, these programs installed, this platform. */
function machine(terminal: boolean, installed: string[] = [], platform: NodeJS.Platform = 'linux'): AutoProbes {
  return {canRun: program => installed.includes(program), platform, terminal: () => terminal}
}

const ALL = ['zenity', 'kdialog', 'ssh-askpass', 'osascript']

describe('prompts: auto, OpenSSH\'s rules first', () => {
  it('uses SSH_ASKPASS_REQUIRE, then the terminal, then the display', () => {
    assert.equal(chooseAuto({SSH_ASKPASS_REQUIRE: 'force'}, machine(true, ALL)), 'ssh-askpass')
    assert.equal(chooseAuto({DISPLAY: ':0', SSH_ASKPASS_REQUIRE: 'never'}, machine(false, ALL)), 'tty')
    assert.equal(chooseAuto({DISPLAY: ':0', SSH_ASKPASS_REQUIRE: 'prefer'}, machine(true, ALL)), 'ssh-askpass')
    assert.equal(chooseAuto({DISPLAY: ':0'}, machine(true, ALL)), 'tty')
    assert.equal(chooseAuto({DISPLAY: ':0'}, machine(false, ['ssh-askpass'])), 'ssh-askpass')
    assert.equal(chooseAuto({WAYLAND_DISPLAY: 'wayland-0'}, machine(false, ['ssh-askpass'])), 'ssh-askpass')
    assert.equal(chooseAuto({}, machine(false)), undefined)
    // As aws-mfa-credentials: no terminal, no display, but an ssh-askpass to run.
    assert.equal(chooseAuto({}, machine(false, ['ssh-askpass'])), 'ssh-askpass')
    assert.equal(chooseAuto({SSH_ASKPASS: '/opt/ask'}, machine(false, ['/opt/ask'])), 'ssh-askpass')
    assert.equal(chooseAuto({SSH_ASKPASS: '/opt/ask'}, machine(false, ['ssh-askpass'])), undefined, '$SSH_ASKPASS is the one asked')
    assert.equal(chooseAuto({}, machine(true, ['ssh-askpass'])), 'tty')
    // zenity or kdialog alone are no reason to ask without a display.
    assert.equal(chooseAuto({}, machine(false, ['zenity', 'kdialog'])), undefined)
  })

  it('finds an ssh-askpass to run: $SSH_ASKPASS when set, else on PATH', () => {
    assert.equal(askpassFound({PATH: '/nonexistent'}), false)
    assert.equal(askpassFound({PATH: `/nonexistent:${path.dirname(process.execPath)}`, SSH_ASKPASS: process.execPath}), true)
    assert.equal(askpassFound({SSH_ASKPASS: '/nonexistent/askpass'}), false)
  })
})

describe('prompts: auto on a desktop (no terminal, a display)', () => {
  const x11 = {DISPLAY: ':0'}

  it('asks $SSH_ASKPASS when it is set: the user chose it', () => {
    assert.equal(chooseAuto({...x11, SSH_ASKPASS: '/usr/bin/ksshaskpass'}, machine(false, ALL)), 'ssh-askpass')
    assert.equal(chooseAuto({SSH_ASKPASS: '/opt/ask'}, machine(false, ALL, 'darwin')), 'ssh-askpass')
  })

  it('on Linux: zenity, else kdialog, else ssh-askpass; kdialog first in a KDE session', () => {
    assert.deepEqual(WINDOWS_ORDER, ['zenity', 'kdialog', 'ssh-askpass'])
    assert.deepEqual(KDE_FIRST, ['kdialog', 'zenity', 'ssh-askpass'])
    assert.equal(chooseAuto(x11, machine(false, ALL)), 'zenity')
    assert.equal(chooseAuto({WAYLAND_DISPLAY: 'wayland-0'}, machine(false, ALL)), 'zenity')
    assert.equal(chooseAuto(x11, machine(false, ['kdialog', 'ssh-askpass'])), 'kdialog')
    assert.equal(chooseAuto(x11, machine(false, ['ssh-askpass'])), 'ssh-askpass')
    for (const desktop of ['KDE', 'kde', 'KDE:plasma', 'ubuntu:KDE']) {
      assert.equal(chooseAuto({...x11, XDG_CURRENT_DESKTOP: desktop}, machine(false, ALL)), 'kdialog', desktop)
    }

    assert.equal(chooseAuto({...x11, XDG_CURRENT_DESKTOP: 'KDE'}, machine(false, ['zenity', 'ssh-askpass'])), 'zenity')
    assert.equal(chooseAuto({...x11, XDG_CURRENT_DESKTOP: 'GNOME'}, machine(false, ALL)), 'zenity')
    assert.equal(chooseAuto({...x11, XDG_CURRENT_DESKTOP: 'KDEish'}, machine(false, ALL)), 'zenity')
  })

  it('on Linux with none of them installed: ssh-askpass, whose error says how to install one', () => {
    assert.equal(chooseAuto(x11, machine(false)), 'ssh-askpass')
  })

  it('on macOS: osascript, with or without DISPLAY (XQuartz); a terminal still wins', () => {
    assert.equal(chooseAuto({}, machine(false, ALL, 'darwin')), 'osascript')
    assert.equal(chooseAuto(x11, machine(false, ALL, 'darwin')), 'osascript')
    assert.equal(chooseAuto({}, machine(true, ALL, 'darwin')), 'tty')
    // No osascript (never so on a real Mac): as on Linux.
    assert.equal(chooseAuto(x11, machine(false, ['zenity'], 'darwin')), 'zenity')
    assert.equal(chooseAuto({}, machine(false, ['ssh-askpass'], 'darwin')), 'ssh-askpass')
    assert.equal(chooseAuto({}, machine(false, [], 'darwin')), undefined)
  })

  it('never picks osascript off macOS', () => {
    assert.equal(chooseAuto(x11, machine(false, ['osascript'])), 'ssh-askpass')
    assert.equal(chooseAuto({}, machine(false, ['osascript'])), undefined)
  })

  it('looks programs up on PATH by default, executable ones only', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mfa-creds-auto-'))
    try {
      await fs.writeFile(path.join(dir, 'zenity'), '#!/bin/sh\n', {mode: 0o644})
      await fs.writeFile(path.join(dir, 'kdialog'), '#!/bin/sh\n', {mode: 0o755})
      const probes = {platform: 'linux' as const, terminal: () => false}
      assert.equal(chooseAuto({...x11, PATH: `/nonexistent::${dir}`}, probes), 'kdialog')
      await fs.chmod(path.join(dir, 'zenity'), 0o755)
      assert.equal(chooseAuto({...x11, PATH: `/nonexistent::${dir}`}, probes), 'zenity')
      assert.equal(chooseAuto({...x11, PATH: '/nonexistent'}, probes), 'ssh-askpass')
    } finally {
      await fs.rm(dir, {force: true, recursive: true})
    }
  })
})
