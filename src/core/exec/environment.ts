/**
 * The environment `exec` runs a command in: the session credentials of one profile and nothing
 * an SDK would prefer to them.
 *
 * Every SDK looks at the environment first, then at a profile (AWS_PROFILE, else [default]) in
 * the shared files. So the child gets the session's keys in the environment, with AWS_PROFILE
 * and AWS_DEFAULT_PROFILE removed (an SDK that sees a profile may go back to the file for it),
 * along with every other variable through which an SDK finds credentials of its own.
 *
 * With the endpoint (`--server`) the child gets no keys at all: AWS_CONTAINER_CREDENTIALS_FULL_URI
 * and the token, and the two shared files replaced by stand-ins (see stand-in.ts), because the
 * SDKs look at [default] of both files before they ask a container endpoint.
 */
import {Profile, stringValue} from '../aws/profiles.js'
import {SessionCredentials} from '../aws/sts.js'
import {formatExpiration} from '../time.js'

/** Says the shell or command holds this profile's credentials (for a prompt); also how a nested exec is told. */
export const EXEC_VARIABLE = 'MFA_CREDS_EXEC'

/** Variables through which an SDK finds credentials, or a profile that leads to them, before anything exec hands it. */
export const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  // The Java SDK's other names for them, and the EC2 tools' credential file (botocore reads it).
  'AWS_ACCESS_KEY',
  'AWS_SECRET_KEY',
  'AWS_CREDENTIAL_FILE',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
] as const

export interface ExecIdentity {
  /** The profile whose session it is (MFA_CREDS_EXEC's value). */
  profile: string
  /** AWS_REGION and AWS_DEFAULT_REGION, when one is known. */
  region?: string
}

function base(env: NodeJS.ProcessEnv, {profile, region}: ExecIdentity): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = {...env}
  for (const name of CREDENTIAL_VARIABLES) delete child[name]
  if (region) {
    child.AWS_REGION = region
    child.AWS_DEFAULT_REGION = region
  }

  child[EXEC_VARIABLE] = profile
  return child
}

/** The session's keys in the environment (exec without --server). */
export function keysEnvironment(env: NodeJS.ProcessEnv, credentials: SessionCredentials, identity: ExecIdentity): NodeJS.ProcessEnv {
  return {
    ...base(env, identity),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_CREDENTIAL_EXPIRATION: formatExpiration(credentials.expiration),
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
  }
}

export interface EndpointAccess {
  /** An empty file, for BOTO_CONFIG. */
  botoConfig: string
  /** The stand-in config file: the profile's settings as [default], no credentials anywhere. */
  configFile: string
  /** The stand-in credentials file: empty. */
  credentialsFile: string
  token: string
  /** The endpoint's full URL, path included. */
  url: string
}

/** No keys: the endpoint, its token, and the stand-in shared files (exec --server). */
export function endpointEnvironment(env: NodeJS.ProcessEnv, access: EndpointAccess, identity: ExecIdentity): NodeJS.ProcessEnv {
  return {
    ...base(env, identity),
    AWS_CONFIG_FILE: access.configFile,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: access.token,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: access.url,
    AWS_SHARED_CREDENTIALS_FILE: access.credentialsFile,
    BOTO_CONFIG: access.botoConfig,
  }
}

/**
 * The region the child's SDK should use: the environment's, else the first `region` of these
 * profiles' config sections (the target's, the profile's, its source's); undefined: none is known.
 */
export function childRegion(env: NodeJS.ProcessEnv, profiles: Map<string, Profile>, names: string[]): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || names.map(name => stringValue(profiles.get(name), 'region')).find(Boolean)
}
