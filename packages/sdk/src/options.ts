/**
 * Options of an extension (`--prompt-option KEY=VALUE`, `mfa_creds_writer_KEY` in ~/.aws/config):
 * plain strings by key, checked by the extension's `validateOptions` before anything is asked.
 */
export type ExtensionOptions = Record<string, string>

/** Options an extension does not know, as the message `validateOptions` returns (undefined: none). */
export function unknownOptions(options: ExtensionOptions, known: string[]): string | undefined {
  const extra = Object.keys(options).filter(key => !known.includes(key))
  if (extra.length === 0) return undefined
  return `unknown option${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (${known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes none'})`
}
