#!/bin/sh
# A stand-in for the 1Password CLI v2 with its documented interface: `op item get ITEM --otp
# [--vault V] [--account A]` prints the item's current one-time code. It records its arguments,
# and behaves as op does when not signed in (FAKE_OP_STATE=signed-out) or when the item is unknown.
printf '%s\n' "$*" >> "$FAKE_OP_LOG"
if [ "$FAKE_OP_STATE" = "signed-out" ]; then
  echo "[ERROR] 2026/11/24 07:16:04 You are not currently signed in. Please run \`op signin --help\` for instructions" >&2
  exit 1
fi
if [ "$1 $2" != "item get" ]; then echo "[ERROR] 2026/11/24 07:16:04 unknown command" >&2; exit 1; fi
case " $* " in *" --otp "*) ;; *) echo "[ERROR] 2026/11/24 07:16:04 no --otp" >&2; exit 1;; esac
if [ "$3" != "AWS" ]; then
  echo "[ERROR] 2026/11/24 07:16:04 \"$3\" isn't an item. Specify the item with its UUID, name, or domain." >&2
  exit 1
fi
echo 482913
