/** Where the AWS shared files are: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws, as botocore expands them. */
import os from 'node:os'
import path from 'node:path'

export type Env = Record<string, string | undefined>

/** botocore's expandvars + expanduser for a configured path. */
export function expandPath(value: string, env: Env): string {
  let out = value.replaceAll(/\$(\w+)|\$\{(\w+)\}/g, (whole, a?: string, b?: string) => env[(a ?? b)!] ?? whole)
  if (out === '~' || out.startsWith('~/')) out = path.join(env.HOME || os.homedir(), out.slice(1))
  return path.resolve(out)
}

export function credentialsFilePath(env: Env = process.env): string {
  const configured = env.AWS_SHARED_CREDENTIALS_FILE
  return configured ? expandPath(configured, env) : path.join(env.HOME || os.homedir(), '.aws', 'credentials')
}

export function configFilePath(env: Env = process.env): string {
  const configured = env.AWS_CONFIG_FILE
  return configured ? expandPath(configured, env) : path.join(env.HOME || os.homedir(), '.aws', 'config')
}
