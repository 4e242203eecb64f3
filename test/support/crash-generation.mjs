// Generation n of the credentials the crash writer puts into [crash-mfa]: the test computes the
// very bytes a complete write of generation n must leave.
export function generation(n) {
  const id = String(n).padStart(8, '0')
  return [
    ['aws_access_key_id', `ASIACRASH${id}`],
    ['aws_secret_access_key', `crash/secret+${id}`.padEnd(40, 'x')],
    ['aws_session_token', `FwoGZXIvYXdz${id}${'T'.repeat(300)}==`],
    ['expiration', new Date(Date.UTC(2030, 0, 1) + (n * 1000)).toISOString().replace(/\.\d+Z$/, 'Z')],
  ]
}
