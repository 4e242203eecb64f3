"""A writer that ignores the lock and rewrites the credentials file in place, as `aws configure
set`, editors and scripts do: open with truncate, write, close. It stops half-way so that a test
can see what mfa-creds does while the file is empty or half-written.

  in_place_writer.py FILE CONTENT CUT READY GO

Truncates FILE, writes the first CUT bytes of the file CONTENT, fsyncs, creates READY, then
(still holding FILE open for writing) waits until GO exists, writes the rest and closes. GO may
be "-": then it closes after the first part and leaves the file half-written for good.
"""
import os
import sys
import time

target, content_file, cut, ready, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
with open(content_file, "rb") as f:
    content = f.read()
with open(target, "r+b") as f:
    f.truncate(0)
    f.write(content[:cut])
    f.flush()
    os.fsync(f.fileno())
    open(ready, "w").close()
    if go != "-":
        while not os.path.exists(go):
            time.sleep(0.01)
        f.write(content[cut:])
        f.flush()
        os.fsync(f.fileno())
