/**
 * The prompt-provider contract: turn a request into a one-time code, or fail with a typed error
 * from core/errors (PromptCancelledError, PromptTimedOutError, PromptUnavailableError).
 */
export interface PromptRequest {
  /** 1 for the first ask in a cycle, 2 and 3 when asking again. */
  attempt: number
  /** The source profile whose MFA device is asked for. */
  profile: string
  /** Why we ask (shown by providers that can show it), e.g. "the code was rejected". */
  reason?: string
  serial: string
  /** Shutting down: stop asking (close the window, restore the terminal) and reject with AbortedError. */
  signal?: AbortSignal
  targetProfile: string
  /** Give up after this long (PromptTimedOutError). */
  timeoutMs: number
}

export interface PromptProvider {
  ask(request: PromptRequest): Promise<string>
  /** Throws when there is no way to ask at all; called once a code is needed, before anything is said or asked. */
  check?(): void
  readonly name: string
  /** True when a person answers right here (a terminal), so a rejected code may be asked for again. */
  readonly retriesRejectedCodes: boolean
}

/** The prompt text ssh-askpass shows, as the seed wrote it. */
export function promptText(request: Pick<PromptRequest, 'profile' | 'serial'>): string {
  return `Enter MFA token for ${request.profile} from device ${request.serial}`
}
