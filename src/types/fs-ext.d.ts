declare module 'fs-ext' {
  export type FlockFlag = 'ex' | 'exnb' | 'sh' | 'shnb' | 'un'
  export type FcntlCommand = 'getfd' | 'getlk' | 'setfd' | 'setlk' | 'setlkw'
  export function flock(fd: number, flags: FlockFlag, callback: (error: NodeJS.ErrnoException | null) => void): void
  export function fcntl(
    fd: number,
    cmd: FcntlCommand,
    arg: number,
    callback: (error: NodeJS.ErrnoException | null, result?: number) => void,
  ): void
  export const constants: {[name: string]: number; F_RDLCK: number; F_UNLCK: number; F_WRLCK: number;}
}
