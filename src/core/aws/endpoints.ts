/**
 * Where a service (STS, IAM) is called: the endpoint the SDK would use for a profile (variables,
 * [services] blocks, endpoint_url), checked before anyone is asked for a code, the region and STS
 * endpoint rules (sts_regional_endpoints), and which STS calls our own client may make (the
 * SDK's endpoint rules, where their answer is plain).
 */
import {ConfigError} from '../errors.js'
import {requestTimeoutMs} from './client.js'
import {Env} from './paths.js'
import {Profile, profileMap, stringValue} from './profiles.js'

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

/**
 * The partitions whose STS endpoint the SDK's rules (client-sts's endpoint ruleset, over
 * partitions.json) make `https://sts.REGION.SUFFIX`, signed for the region, by the same region
 * pattern the SDK matches. The others (the ISO partitions, the EU sovereign cloud) and names no
 * pattern claims are left to the SDK: its rules for them may change, and a guess would be a call
 * to a host that does not exist.
 */
const PLAIN_PARTITIONS: Array<{pattern: RegExp; suffix: string}> = [
  {pattern: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, suffix: 'amazonaws.com'},
  {pattern: /^cn-\w+-\d+$/, suffix: 'amazonaws.com.cn'},
  {pattern: /^us-gov-\w+-\d+$/, suffix: 'amazonaws.com'},
]

/**
 * Where the SDK calls STS when no endpoint is configured (and neither FIPS nor dual-stack is
 * asked for): sts.REGION.amazonaws.com (.com.cn in China), and for `aws-global` the global
 * endpoint signed for us-east-1. Undefined where this is not certain: the SDK is used there.
 */
export function defaultStsEndpoint(region: string): undefined | {signingRegion: string; url: string} {
  if (region === 'aws-global') return {signingRegion: 'us-east-1', url: 'https://sts.amazonaws.com'}
  const partition = PLAIN_PARTITIONS.find(p => p.pattern.test(region))
  return partition && {signingRegion: region, url: `https://sts.${region}.${partition.suffix}`}
}

/** The SDK's switches to FIPS and dual-stack endpoints: our client knows neither. */
const SDK_ENDPOINT_VARIANTS = [['AWS_USE_FIPS_ENDPOINT', 'use_fips_endpoint'], ['AWS_USE_DUALSTACK_ENDPOINT', 'use_dualstack_endpoint']] as const

/**
 * Whether STS must be called through the AWS SDK: MFA_CREDS_STS_CLIENT=sdk, or FIPS or dual-stack
 * endpoints asked for in the environment, in PROFILE's config section, or in the one the SDK reads
 * (AWS_PROFILE's, else [default]). The SDK takes "false" as off and refuses other values but
 * "true"; anything but unset or "false" goes to it, so that it does (or refuses) what it always did.
 */
function stsNeedsSdk(env: Env, profileConfig: Profile | undefined, sections: Record<string, Profile>): boolean {
  const client = env.MFA_CREDS_STS_CLIENT?.trim().toLowerCase()
  if (client && client !== 'auto' && client !== 'sdk') {
    throw new ConfigError(
      `MFA_CREDS_STS_CLIENT is ${JSON.stringify(env.MFA_CREDS_STS_CLIENT!.slice(0, 40))}, which is neither auto nor sdk`,
      'set MFA_CREDS_STS_CLIENT to sdk to call STS through the AWS SDK, or unset it',
    )
  }

  if (client === 'sdk') return true
  const sdkProfile = profileMap(sections).get(env.AWS_PROFILE || 'default')
  return SDK_ENDPOINT_VARIANTS.some(([variable, key]) => {
    if (env[variable] !== undefined) return env[variable] !== 'false'
    return [profileConfig, sdkProfile].some(p => stringValue(p, key) !== undefined && stringValue(p, key) !== 'false')
  })
}

/** Where STS is called, and by which client. */
export interface StsRoute {
  /** An endpoint URL configured (or the global one, for legacy); undefined: the SDK's default for the region. */
  endpoint?: string
  region: string
  /** Set when the call must go through the AWS SDK (stsNeedsSdk); else our own client makes it where its endpoint is certain. */
  viaSdk?: true
}

/** Where STS is called: the configured endpoint, else (sts_regional_endpoints = legacy) the global one, else the region's. */
export function resolveSts(env: Env, profileConfig: Profile | undefined, sections: Record<string, Profile>, where: string, configFile = 'the config file'): StsRoute {
  const route = resolveStsEndpoint(env, profileConfig, sections, where, configFile)
  return stsNeedsSdk(env, profileConfig, sections) ? {...route, viaSdk: true} : route
}

function resolveStsEndpoint(env: Env, profileConfig: Profile | undefined, sections: Record<string, Profile>, where: string, configFile: string): StsRoute {
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
