import type {CredentialWriterSpec, PromptProviderSpec} from '@mfa-creds/sdk'
import type {Config} from '@oclif/core'

import {
  defineCredentialWriter, definePromptProvider, errorToData, PromptMisconfiguredError as SdkMisconfigured, PromptUnavailableError as SdkUnavailable,
} from '@mfa-creds/sdk'
import assert from 'node:assert/strict'

import {
  ConfigError, InternalError, LockTimeoutError, MfaCredsError, PromptCancelledError, PromptMisconfiguredError, PromptTimedOutError, PromptUnavailableError,
} from '../../src/core/errors.js'
import {errorFromData, HOST_ERRORS} from '../../src/extensions/errors.js'
import {EXTENSION_POINTS} from '../../src/extensions/events.js'
import {discover, resolveExtension} from '../../src/extensions/host.js'
import {PROMPT_POINT, promptPort} from '../../src/extensions/prompt.js'
import {WRITER_POINT, writerPort} from '../../src/extensions/writer.js'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any point's hook
type Hook = (payload: any) => Promise<unknown>

/**
 * oclif's runHook as the host sees it, over hooks registered by plugin name and event: errors
 * captured in `failures`, and every call recorded, so a test can tell what crossed a hook.
 */
function fakeConfig(hooks: Array<{event: string; hook: Hook; plugin: string}>): Config & {calls: Array<{event: string; plugin: string; type: string}>} {
  const calls: Array<{event: string; plugin: string; type: string}> = []
  const runHook = async (event: string, payload: {type: string}) => {
    const successes = []
    const failures = []
    for (const h of hooks.filter(h => h.event === event)) {
      calls.push({event, plugin: h.plugin, type: payload.type})
      try {
        successes.push({plugin: {name: h.plugin}, result: await h.hook(payload)})
      } catch (error) {
        failures.push({error: error as Error, plugin: {name: h.plugin}})
      }
    }

    return {failures, successes}
  }

  return {calls, name: 'mfa-creds', runHook} as unknown as Config & {calls: typeof calls}
}

function register(plugin: string, point: 'prompt' | 'writer', hook: Hook) {
  const {action, discover} = EXTENSION_POINTS[point]
  return [{event: discover, hook, plugin}, {event: action, hook, plugin}]
}

const OPTIONS = {}
const SESSION = {
  accessKeyId: 'ASIAEXAMPLE', expiration: new Date('2026-11-24T06:21:04Z'), secretAccessKey: 'secret', sessionToken: 'token',
}

describe('extensions: the error-kind table', () => {
  it('gives each kind one class and one exit code, and a plugin\'s typed error comes back as that error', () => {
    const thrown = {
      cancelled: new PromptCancelledError('no', 'again'),
      config: new ConfigError('bad file', 'fix it'),
      internal: new InternalError('bug'),
      'lock-timeout': new LockTimeoutError('held', 'wait'),
      misconfigured: new PromptMisconfiguredError('no item'),
      'timed-out': new PromptTimedOutError('slow'),
      unavailable: new PromptUnavailableError('no window'),
    }
    for (const [point, errors] of Object.entries(EXTENSION_POINTS)) {
      for (const kind of errors.kinds) {
        if (kind === 'aborted') continue
        const error = thrown[kind]
        const data = errorToData(errors.kinds, error)
        assert.equal(data.kind, kind, `${point}: ${error.name}`)
        const back = errorFromData(errors, data, 'x') as MfaCredsError
        assert.equal(back.exitCode, HOST_ERRORS[kind].exitCode, `${point}: ${kind}`)
        assert.equal(back.exitCode, error.exitCode, `${point}: ${kind}`)
      }
    }

    assert.equal(errorFromData(EXTENSION_POINTS.prompt, {kind: 'cancelled', message: 'no'}, 'x').message, 'no')
    assert.equal((errorFromData(EXTENSION_POINTS.prompt, {kind: 'cancelled', message: 'no'}, 'x') as MfaCredsError).hint, 'run the command again to be asked again')
  })

  it('finds the kind of the sdk\'s error, a plugin\'s own copy, by class name: the same kind and exit code as the core\'s error', () => {
    for (const [sdk, core] of [[new SdkUnavailable('no op', 'install it'), new PromptUnavailableError('no op', 'install it')], [new SdkMisconfigured('no item'), new PromptMisconfiguredError('no item')]] as const) {
      const data = errorToData(EXTENSION_POINTS.prompt.kinds, sdk)
      assert.deepEqual(data, errorToData(EXTENSION_POINTS.prompt.kinds, core))
      const back = errorFromData(EXTENSION_POINTS.prompt, data, 'op') as MfaCredsError
      assert.equal(back.exitCode, core.exitCode)
      assert.ok(back instanceof PromptUnavailableError)
    }
  })

  it('reports an error outside a point\'s kinds by the point\'s own rule', () => {
    const prompt = errorFromData(EXTENSION_POINTS.prompt, errorToData(EXTENSION_POINTS.prompt.kinds, new ConfigError('vault sealed')), 'op')
    assert.ok(prompt instanceof PromptUnavailableError)
    assert.equal(prompt.message, 'the op prompt failed: vault sealed')
    const writer = errorFromData(EXTENSION_POINTS.writer, errorToData(EXTENSION_POINTS.writer.kinds, new Error('EIO')), 'env-file')
    assert.ok(writer instanceof ConfigError)
    assert.equal(writer.message, 'the env-file writer failed: EIO')
  })
})

describe('extensions: one host for every point', () => {
  const builtInPrompt: PromptProviderSpec = {
    async ask(request) {
      if (request.reason === 'fail') throw new PromptUnavailableError('no window')
      return '123456'
    },
    description: 'built in',
    name: 'tty',
    retriesRejectedCodes: true,
  }
  const pluginPrompt: PromptProviderSpec = {
    ...builtInPrompt, description: 'a plugin', name: 'other', retriesRejectedCodes: false,
  }
  const request = {
    attempt: 1, profile: 'default', serial: 'arn:aws:iam::123456789012:mfa/alice', targetProfile: 'default-mfa', timeoutMs: 1000,
  }

  it('calls a built-in in process, and a plugin through its hook, behind the same port', async () => {
    const config = fakeConfig([...register('mfa-creds', 'prompt', definePromptProvider(builtInPrompt)), ...register('mfa-creds-other', 'prompt', definePromptProvider(pluginPrompt))])
    const builtIn = await resolveExtension(config, PROMPT_POINT, {name: 'tty', options: OPTIONS, source: 'flag'}, {builtIns: [builtInPrompt]})
    assert.equal(builtIn.spec, builtInPrompt)
    const viaHook = await resolveExtension(config, PROMPT_POINT, {name: 'other', options: OPTIONS, source: 'flag'}, {builtIns: [builtInPrompt]})
    config.calls.length = 0
    const types = () => config.calls.map(c => c.type)
    assert.equal(await promptPort(builtIn.spec, OPTIONS, builtIn.rethrow).ask(request), '123456')
    assert.deepEqual(types(), [])
    const other = promptPort(viaHook.spec, OPTIONS, viaHook.rethrow)
    assert.equal(await other.ask(request), '123456')
    assert.equal(other.retriesRejectedCodes, false)
    assert.deepEqual(types(), ['ask', 'ask'])
  })

  it('reports a built-in\'s failure as the same error a plugin\'s would be', async () => {
    const config = fakeConfig([...register('mfa-creds', 'prompt', definePromptProvider(builtInPrompt)), ...register('mfa-creds-other', 'prompt', definePromptProvider(pluginPrompt))])
    const messages = []
    for (const name of ['tty', 'other']) {
      const {rethrow, spec} = await resolveExtension(config, PROMPT_POINT, {name, options: OPTIONS, source: 'flag'}, {builtIns: [builtInPrompt]})
      const error = await promptPort(spec, OPTIONS, rethrow).ask({...request, reason: 'fail'}).catch(error_ => error_)
      assert.ok(error instanceof PromptUnavailableError)
      messages.push(error.message)
    }

    assert.deepEqual(messages, ['tty: no window', 'other: no window'])
  })

  it('refuses two plugins offering one name, naming both, and an unknown name, listing what is installed', async () => {
    const config = fakeConfig([...register('mfa-creds', 'prompt', definePromptProvider(builtInPrompt)), ...register('mfa-creds-dup', 'prompt', definePromptProvider(builtInPrompt))])
    await assert.rejects(discover(config, 'prompt'), /two plugins offer the prompt provider "tty": mfa-creds and mfa-creds-dup/)
    const one = fakeConfig(register('mfa-creds', 'writer', defineCredentialWriter({
      description: 'd', name: 'credentials-file', read: async () => ({}), write: async () => ({action: 'written', expiration: new Date()}),
    })))
    await assert.rejects(resolveExtension(one, WRITER_POINT, {name: 'nope', options: OPTIONS, source: 'config'}, {builtIns: []}), (error: Error) => error instanceof ConfigError && /unknown credential writer "nope"/.test(error.message) && /credentials-file \(mfa-creds\)/.test((error as ConfigError).hint!))
  })

  it('carries a writer\'s times across the hook as RFC 3339 and back, tells it plain data only, and checks a plugin\'s answer', async () => {
    const seen: unknown[] = []
    const contexts: unknown[] = []
    const writer: CredentialWriterSpec = {
      description: 'd',
      name: 'env-file',
      async read(_target, _options, context) {
        contexts.push(context)
        return {expiration: new Date('2026-11-24T07:00:00Z'), fingerprint: 'f'}
      },
      async write(req) {
        seen.push(req.credentials.expiration)
        return {action: 'written', expiration: req.credentials.expiration}
      },
    }
    const broken: Hook = async payload => ((payload as {type: string}).type === 'discover' ? [{description: 'd', name: 'broken'}] : {handled: true})
    const badTime: Hook = async payload => ((payload as {type: string}).type === 'discover' ? [{description: 'd', name: 'bad-time'}] : {handled: true, state: {expiration: '2026-02-31T00:00:00Z'}})
    const config = fakeConfig([...register('mfa-creds-env', 'writer', defineCredentialWriter(writer)), ...register('mfa-creds-broken', 'writer', broken)])
    const env = await resolveExtension(config, WRITER_POINT, {name: 'env-file', options: OPTIONS, source: 'flag'}, {builtIns: []})
    const port = writerPort(env.spec, OPTIONS, '/nowhere/credentials', env.rethrow)
    const credentials = {doc: {}, path: '/nowhere/credentials'} as never
    assert.deepEqual(await port.read('default-mfa', credentials), {expiration: new Date('2026-11-24T07:00:00Z'), fingerprint: 'f'})
    assert.deepEqual(await port.write({credentials: SESSION, targetProfile: 'default-mfa'}), {action: 'written', expiration: SESSION.expiration})
    assert.deepEqual(seen, [SESSION.expiration])
    assert.deepEqual(contexts, [{credentialsFile: '/nowhere/credentials'}], 'the file as the host read it crossed the hook')
    const bad = await resolveExtension(config, WRITER_POINT, {name: 'broken', options: OPTIONS, source: 'flag'}, {builtIns: []})
    await assert.rejects(writerPort(bad.spec, OPTIONS, '/nowhere/credentials', bad.rethrow).read('default-mfa', credentials), (error: Error) => error instanceof InternalError && /answered a read without a state/.test(error.message))
    const late = await resolveExtension(fakeConfig(register('mfa-creds-bad-time', 'writer', badTime)), WRITER_POINT, {name: 'bad-time', options: OPTIONS, source: 'flag'}, {builtIns: []})
    await assert.rejects(writerPort(late.spec, OPTIONS, '/nowhere/credentials', late.rethrow).read('default-mfa', credentials), (error: Error) => error instanceof InternalError && /bad-time writer \(mfa-creds-bad-time\) answered a read whose expiration is not an RFC 3339 time/.test(error.message))
  })
})
