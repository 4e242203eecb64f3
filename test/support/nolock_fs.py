"""A real file system without file locks, for the tests: a tiny FUSE server spoken straight over
/dev/fuse (no libfuse), mounted at DIR. It holds plain files in memory and answers every lock
request (GETLK, SETLK, SETLKW) with -ERRNO, as NFS without its lock service answers ENOLCK.

    nolock_fs.py DIR fcntl|flock ERRNO

`fcntl`: only fcntl (POSIX) locks reach this server (flock(2) stays the kernel's local lock);
`flock`: flock(2) reaches it too (FUSE_FLOCK_LOCKS), so flock is what fails first. Needs root
and /dev/fuse. Prints "ready" once mounted; on SIGTERM it unmounts DIR and exits.

The structures are those of the kernel's include/uapi/linux/fuse.h (protocol 7.31).
"""
import ctypes
import errno
import os
import signal
import struct
import sys
import time

DIR, FAILS, ERRNO = sys.argv[1], sys.argv[2], getattr(errno, sys.argv[3])

FUSE_POSIX_LOCKS = 1 << 1
FUSE_FLOCK_LOCKS = 1 << 10
IN_HEADER = struct.Struct('<IIQQIIIHH')   # len, opcode, unique, nodeid, uid, gid, pid, extlen, pad
OUT_HEADER = struct.Struct('<IiQ')        # len, error, unique
ATTR = struct.Struct('<QQQQQQIIIIIIIIII')  # ino size blocks atime mtime ctime *nsec mode nlink uid gid rdev blksize flags

LOOKUP, FORGET, GETATTR, SETATTR, OPEN, READ, WRITE, RELEASE, FLUSH, INIT = 1, 2, 3, 4, 14, 15, 16, 18, 25, 26
GETLK, SETLK, SETLKW, ACCESS, CREATE, INTERRUPT, DESTROY, BATCH_FORGET = 31, 32, 33, 34, 35, 36, 38, 42
NO_REPLY = {FORGET, INTERRUPT, BATCH_FORGET}

libc = ctypes.CDLL(None, use_errno=True)
now = int(time.time())
nodes = {1: {'mode': 0o040755, 'uid': 0, 'gid': 0, 'size': 0}}
names = {}


def attr(nodeid):
    n = nodes[nodeid]
    return ATTR.pack(nodeid, n['size'], 0, now, now, now, 0, 0, 0, n['mode'], 1, n['uid'], n['gid'], 0, 4096, 0)


def entry(nodeid):
    return struct.pack('<QQQQII', nodeid, 0, 0, 0, 0, 0) + attr(nodeid)


def attr_out(nodeid):
    return struct.pack('<QII', 0, 0, 0) + attr(nodeid)


OPEN_OUT = struct.pack('<QII', 0, 0, 0)


def handle(opcode, nodeid, uid, gid, body):
    """(error, payload) for one request."""
    if opcode == INIT:
        major, minor, readahead, flags = struct.unpack_from('<IIII', body)
        want = FUSE_POSIX_LOCKS | (FUSE_FLOCK_LOCKS if FAILS == 'flock' else 0)
        out = struct.pack('<IIIIHHIIHHII', 7, 31, readahead, flags & want, 16, 12, 131072, 1, 32, 0, 0, 0)
        return 0, out + b'\0' * (64 - len(out))
    if opcode == LOOKUP:
        node = names.get(body.rstrip(b'\0')) if nodeid == 1 else None
        return (0, entry(node)) if node else (-errno.ENOENT, b'')
    if opcode == GETATTR:
        return 0, attr_out(nodeid)
    if opcode == SETATTR:
        valid, = struct.unpack_from('<I', body)
        mode, = struct.unpack_from('<I', body, 68)
        uid_, gid_ = struct.unpack_from('<II', body, 76)
        n = nodes[nodeid]
        if valid & 1:
            n['mode'] = (n['mode'] & 0o170000) | (mode & 0o7777)
        if valid & 2:
            n['uid'] = uid_
        if valid & 4:
            n['gid'] = gid_
        if valid & 8:
            n['size'] = struct.unpack_from('<Q', body, 16)[0]
        return 0, attr_out(nodeid)
    if opcode == CREATE:
        _flags, mode, umask, _open_flags = struct.unpack_from('<IIII', body)
        name = body[16:].rstrip(b'\0')
        node = names.get(name)
        if node is None:
            node = max(nodes) + 1
            nodes[node] = {'mode': 0o100000 | (mode & ~umask & 0o7777), 'uid': uid, 'gid': gid, 'size': 0}
            names[name] = node
        return 0, entry(node) + OPEN_OUT
    if opcode == OPEN:
        return 0, OPEN_OUT
    if opcode == READ:
        return 0, b''
    if opcode == WRITE:
        size, = struct.unpack_from('<I', body, 16)
        return 0, struct.pack('<II', size, 0)
    if opcode in (RELEASE, FLUSH, ACCESS, DESTROY):
        return 0, b''
    if opcode in (GETLK, SETLK, SETLKW):
        return -ERRNO, b''
    return -errno.ENOSYS, b''


def unmount(*_):
    libc.umount2(DIR.encode(), 2)  # MNT_DETACH
    sys.exit(0)


def main():
    fd = os.open('/dev/fuse', os.O_RDWR)
    opts = f'fd={fd},rootmode=40000,user_id=0,group_id=0,allow_other'.encode()
    if libc.mount(b'mfa-creds-nolock', DIR.encode(), b'fuse', 0x2 | 0x4, opts) != 0:  # MS_NOSUID | MS_NODEV
        e = ctypes.get_errno()
        sys.exit(f'mount: {os.strerror(e)}')
    signal.signal(signal.SIGTERM, unmount)
    print('ready', flush=True)
    while True:
        try:
            request = os.read(fd, 1 << 20)
        except OSError as e:
            if e.errno == errno.ENODEV:  # unmounted
                return
            if e.errno in (errno.EINTR, errno.ENOENT):
                continue
            raise
        _len, opcode, unique, nodeid, uid, gid, _pid, _extlen, _pad = IN_HEADER.unpack_from(request)
        if opcode in NO_REPLY:
            continue
        error, payload = handle(opcode, nodeid, uid, gid, request[IN_HEADER.size:])
        try:
            os.write(fd, OUT_HEADER.pack(OUT_HEADER.size + len(payload), error, unique) + payload)
        except OSError as e:
            if e.errno != errno.ENOENT:  # the request was interrupted meanwhile
                raise


main()
