"""A COMMAND for `lock` tests: counts the SIGINT, SIGQUIT, SIGTERM and SIGHUP it receives.

  count_signals.py READY_FILE SECONDS   writes READY_FILE when its handlers are in place, waits
                                        SECONDS, prints the counts as JSON, exits with the number
                                        of SIGINTs (SIGTERM ends it at once with 128+15)
"""
import json
import signal
import sys
import time

counts = {"INT": 0, "QUIT": 0, "HUP": 0}


def count(name):
    def handler(signum, frame):
        counts[name] += 1
    return handler


for name in counts:
    signal.signal(getattr(signal, "SIG" + name), count(name))
open(sys.argv[1], "w").close()
deadline = time.time() + float(sys.argv[2])
while time.time() < deadline:
    time.sleep(0.05)
print(json.dumps(counts), flush=True)
sys.exit(counts["INT"])
