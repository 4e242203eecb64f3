/**
 * The AWS SDK's own SigV4 signer (@smithy/signature-v4), hashing through node:crypto: requests
 * are never signed by code of ours. `npm run build` bundles the package into one file beside this
 * module (vendor/signature-v4.js), which loads in a few ms; the package itself pulls in much of
 * the SDK's core package (some 30 ms), and is what runs from the sources (tsx), which have no bundle.
 */
import type {SignatureV4 as SignatureV4Type} from '@smithy/signature-v4'

import {
  createHash, createHmac, Hash, Hmac,
} from 'node:crypto'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

type SourceData = ArrayBuffer | ArrayBufferView | string

function bytes(data: SourceData): Buffer | string {
  if (typeof data === 'string') return data
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data)
}

function start(secret: SourceData | undefined): Hash | Hmac {
  return secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
}

/**
 * SHA-256, or HMAC-SHA256 when constructed with a key: the Checksum constructor SignatureV4 takes
 * as its `sha256` option (what @smithy/hash-node gives the SDK, without loading it).
 */
export class NodeSha256 {
  private hash: Hash | Hmac

  constructor(private readonly secret?: SourceData) {
    this.hash = start(secret)
  }

  async digest(): Promise<Uint8Array> {
    return this.hash.digest()
  }

  reset(): void {
    this.hash = start(this.secret)
  }

  update(data: SourceData): void {
    this.hash.update(bytes(data))
  }
}

export type SignatureV4Class = typeof SignatureV4Type

const BUNDLE = new URL('vendor/signature-v4.js', import.meta.url)
let loading: Promise<SignatureV4Class> | undefined

/** The SignatureV4 class, loaded once: from the build's bundle when there is one, else from the package. */
export function loadSignatureV4(): Promise<SignatureV4Class> {
  loading ??= (async () => {
    if (existsSync(fileURLToPath(BUNDLE))) {
      const bundled = (await import(BUNDLE.href)) as {SignatureV4: SignatureV4Class}
      return bundled.SignatureV4
    }

    return (await import('@smithy/signature-v4')).SignatureV4
  })()
  return loading
}
