/**
 * The prompt-provider contract (the port lives in core/refresh/ports.ts; re-exported here for the
 * built-ins and the SDK) and the prompt text ssh-askpass shows.
 */
import type {PromptRequest} from '../core/refresh/ports.js'

export type {PromptProvider, PromptRequest} from '../core/refresh/ports.js'

/** The prompt text ssh-askpass shows, as the seed wrote it. */
export function promptText(request: Pick<PromptRequest, 'profile' | 'serial'>): string {
  return `Enter MFA token for ${request.profile} from device ${request.serial}`
}
