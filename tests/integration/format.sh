#!/usr/bin/env bash
# The C sources follow the checked-in .clang-format (decided once).
. "$(dirname "$0")/lib.bash"
need clang-format clang-format
files=$(find base reference harness servers clients tests/unit fuzz bench -name '*.[ch]' 2>/dev/null | sort)
for f in $files; do
  if clang-format --dry-run --Werror "$f" > /dev/null 2>&1; then checks=$((checks + 1))
  else bad "$f is not formatted: run 'make format'"; fi
done
ok "$checks files formatted as .clang-format says"
finish
