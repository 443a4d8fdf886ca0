#!/bin/sh
# help-all.sh - the --help of echoharness followed by that of each of its
# commands, for help2man (CMakeLists.txt): help2man runs this script with
# --help and --version, and the man page then documents every command's
# options. EH_BINARY names the echoharness to ask.
set -eu
eh=${EH_BINARY:?EH_BINARY must name the echoharness binary}
if [ "${1:-}" = --version ]; then
  exec "$eh" --version
fi
"$eh" --help
# The commands are the lines "  NAME ..." of the main help's Commands: list.
for cmd in $("$eh" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'); do
  echo
  "$eh" "$cmd" --help
done
