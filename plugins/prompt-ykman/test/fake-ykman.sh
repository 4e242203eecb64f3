#!/bin/sh
# A stand-in for YubiKey Manager: `ykman oath accounts code --single NAME` prints NAME's code. It
# records its arguments; FAKE_YK=touch makes it ask for a touch first (as ykman does on stderr),
# FAKE_YK=absent behaves as with no key plugged in.
printf '%s\n' "$*" >> "$FAKE_YK_LOG"
if [ "$FAKE_YK" = "absent" ]; then echo "Error: No YubiKey detected!" >&2; exit 2; fi
if [ "$1 $2 $3 $4" != "oath accounts code --single" ]; then echo "Error: usage" >&2; exit 2; fi
if [ "$5" != "AWS:alice" ]; then echo "Error: No matching account found." >&2; exit 1; fi
if [ "$FAKE_YK" = "touch" ]; then echo "Touch your YubiKey..." >&2; sleep 0.5; fi
echo 770011
