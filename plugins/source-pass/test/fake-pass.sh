#!/bin/sh
# A stand-in for pass where no gpg is set up (the pack-and-install test): `pass show -- ENTRY`
# prints an entry of key lines; anything else fails as pass would.
if [ -n "$FAKE_PASS_LOG" ]; then printf '%s\n' "$*" >> "$FAKE_PASS_LOG"; fi
case "$1" in
  show) printf 'aws_access_key_id = AKIAFAKEPASSENTRY001\naws_secret_access_key = fake/Pass+Entry+Secret000000000000000000\n' ;;
  *) echo "Error: the fake pass only shows" >&2; exit 1 ;;
esac
