"""Holds a lock on FILE the way another tool would, in a process of its own.

  hold_lock.py FILE lockf|flock     takes the lock (blocking), prints "locked", holds it until a
                                    line arrives on stdin (or stdin closes), then releases it
  hold_lock.py FILE try-lockf|try-flock   non-blocking attempt: prints "free" or "busy"
"""
import fcntl
import sys

path, mode = sys.argv[1], sys.argv[2]
f = open(path, "a+")
if mode.startswith("try-"):
    try:
        if mode == "try-lockf":
            fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("free", flush=True)
    except OSError:
        print("busy", flush=True)
    sys.exit(0)

if mode == "lockf":
    fcntl.lockf(f, fcntl.LOCK_EX)
else:
    fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
