/**
 * The credential-writer contract: where fresh session credentials go, and what is there now. The
 * port lives in core/refresh/ports.ts; re-exported here for the built-ins and the SDK.
 */
export type {
  CredentialWriter, TargetState, WriteRequest, WriteResult,
} from '../core/refresh/ports.js'
