/**
 * Where a service (STS, IAM) is called: the endpoint the SDK would use for a profile (variables,
 * [services] blocks, endpoint_url), checked before anyone is asked for a code, and the region
 * and STS endpoint rules (sts_regional_endpoints).
 */
import {ConfigError} from '../errors.js'
import {requestTimeoutMs} from './client.js'
import {Env} from './paths.js'
import {Profile, stringValue} from './profiles.js'

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true'
}

/**
 * An endpoint URL, checked before anyone is asked for a code: http or https, with a host. `source`
 * names where it came from; the value is never echoed (its userinfo may hold a password).
 */
export function checkEndpoint(value: string, source: string, fix: string): string {
  const hint = `${fix} to a URL such as https://sts.us-east-1.amazonaws.com`
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`${source} is not a URL`, hint)
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${source} uses ${url.protocol}, not http or https`, hint)
  if (!url.hostname || !/^\s*https?:\/\/[^/?#\s]/i.test(value)) throw new ConfigError(`${source} has no host`, hint)
  return value
}

/** Where the config file is, for messages about an endpoint found in it. */
export interface EndpointLocation {
  configFile: string
  /** The profile's section: `[profile P] of FILE`. */
  where: string
}

/**
 * A service's endpoint (sts, iam), with the SDK's precedence, looked up for profile P (not
 * AWS_PROFILE), and checked (checkEndpoint): a ConfigError names the variable or key.
 */
export function resolveEndpoint(
  env: Env,
  profile: Profile | undefined,
  sections: Record<string, Profile>,
  service: 'iam' | 'sts' = 'sts',
  location?: EndpointLocation,
): string | undefined {
  if (isTrue(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)) return undefined
  const variable = env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ? `AWS_ENDPOINT_URL_${service.toUpperCase()}` : 'AWS_ENDPOINT_URL'
  const fromEnv = env[variable]
  if (fromEnv) return checkEndpoint(fromEnv, variable, `set ${variable}`)
  if (isTrue(stringValue(profile, 'ignore_configured_endpoint_urls'))) return undefined
  const servicesName = stringValue(profile, 'services')
  if (servicesName) {
    const block = sections[`services ${servicesName}`]?.[service]
    if (typeof block === 'object' && block.endpoint_url) {
      const where = `[services ${servicesName}] of ${location?.configFile ?? 'the config file'}`
      return checkEndpoint(block.endpoint_url, `endpoint_url for ${service} in ${where}`, `set endpoint_url for ${service} in ${where}`)
    }
  }

  const fromProfile = stringValue(profile, 'endpoint_url')
  const where = location?.where ?? 'the config file'
  return fromProfile ? checkEndpoint(fromProfile, `endpoint_url in ${where}`, `set endpoint_url in ${where}`) : undefined
}

/** botocore's list of regions whose STS calls go to the global endpoint when sts_regional_endpoints = legacy. */
const LEGACY_GLOBAL_REGIONS = new Set([
  'ap-northeast-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'aws-global',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
])

/** Where STS is called: the configured endpoint, else (sts_regional_endpoints = legacy) the global one, else the region's. */
export function resolveSts(env: Env, profileConfig: Profile | undefined, sections: Record<string, Profile>, where: string, configFile = 'the config file'): {endpoint?: string; region: string} {
  requestTimeoutMs(env)
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || stringValue(profileConfig, 'region') || 'us-east-1'
  if (!/^[a-z\d-]{1,63}$/i.test(region)) {
    const source = env.AWS_REGION ? 'AWS_REGION' : (env.AWS_DEFAULT_REGION ? 'AWS_DEFAULT_REGION' : `region in ${where}`)
    throw new ConfigError(`${source} is ${JSON.stringify(region)}, which is not a region name`, `set ${source.split(' ')[0]} to a region such as us-east-1 (the config file has no inline comments: a ; or # after a value is part of it)`)
  }

  const endpoint = resolveEndpoint(env, profileConfig, sections, 'sts', {configFile, where})
  const fromEnv = env.AWS_STS_REGIONAL_ENDPOINTS
  const mode = (fromEnv || stringValue(profileConfig, 'sts_regional_endpoints') || 'regional').trim().toLowerCase()
  if (mode !== 'legacy' && mode !== 'regional') {
    const source = fromEnv ? 'AWS_STS_REGIONAL_ENDPOINTS' : `sts_regional_endpoints in ${where}`
    throw new ConfigError(`${source} is ${JSON.stringify(fromEnv || stringValue(profileConfig, 'sts_regional_endpoints'))}, which is neither legacy nor regional`, `set ${source.split(' ')[0]} to regional (or legacy)`)
  }

  if (!endpoint && mode === 'legacy' && LEGACY_GLOBAL_REGIONS.has(region)) return {endpoint: 'https://sts.amazonaws.com', region: 'us-east-1'}
  return {endpoint, region}
}
