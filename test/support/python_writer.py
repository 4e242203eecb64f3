"""Another writer of the credentials file: for each of N rounds, takes its lock on the lock file,
re-reads the file, appends a section [NAME-i], writes it back in place, releases. Proves that
concurrent mfa-creds writes lose nothing of what it adds.

MODE is which lock it takes: both (flock then lockf, the protocol), lockf only (the documented
fcntl lock) or flock only (what the seed's binary really takes).

  python_writer.py CREDENTIALS LOCKFILE NAME ROUNDS [both|lockf|flock]
"""
import fcntl
import sys
import time

creds, lockfile, name, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
mode = sys.argv[5] if len(sys.argv) > 5 else "both"
for i in range(rounds):
    with open(lockfile, "a+") as lock:
        if mode in ("both", "flock"):
            fcntl.flock(lock, fcntl.LOCK_EX)
        if mode in ("both", "lockf"):
            fcntl.lockf(lock, fcntl.LOCK_EX)
        with open(creds) as f:
            text = f.read()
        if text and not text.endswith("\n"):
            text += "\n"
        text += "\n[%s-%d]\naws_access_key_id = AKIAPYTHON%06d\naws_secret_access_key = python/secret+%d\n" % (name, i, i, i)
        with open(creds, "w") as f:
            f.write(text)
        if mode in ("both", "lockf"):
            fcntl.lockf(lock, fcntl.LOCK_UN)
        if mode in ("both", "flock"):
            fcntl.flock(lock, fcntl.LOCK_UN)
    time.sleep(0.01)
