/**
 * Sizes for the reliability suites: small in `npm test`, the full figures under `npm run stress`
 * (MFA_CREDS_STRESS=1), which CI runs as well.
 */
export const STRESS = process.env.MFA_CREDS_STRESS === '1'

export function scale<T>(light: T, heavy: T): T {
  return STRESS ? heavy : light
}
