"""Another writer of the credentials file that follows the protocol: for each of N rounds, takes
flock then lockf on the lock file, re-reads the file, appends a section [NAME-i], writes it back
in place, releases. Proves that concurrent mfa-creds writes lose nothing of what it adds.

  python_writer.py CREDENTIALS LOCKFILE NAME ROUNDS
"""
import fcntl
import sys
import time

creds, lockfile, name, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for i in range(rounds):
    with open(lockfile, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fcntl.lockf(lock, fcntl.LOCK_EX)
        with open(creds) as f:
            text = f.read()
        if text and not text.endswith("\n"):
            text += "\n"
        text += "\n[%s-%d]\naws_access_key_id = AKIAPYTHON%06d\naws_secret_access_key = python/secret+%d\n" % (name, i, i, i)
        with open(creds, "w") as f:
            f.write(text)
        fcntl.lockf(lock, fcntl.LOCK_UN)
        fcntl.flock(lock, fcntl.LOCK_UN)
    time.sleep(0.01)
