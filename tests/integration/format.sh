#!/usr/bin/env bash
# The C sources follow the checked-in .clang-format (decided once).
. "$(dirname "$0")/lib.bash"
need clang-format clang-format
files=$(ls harness/*.[ch] common/*.[ch] servers/*.c servers/faulty/*.c clients/*.c clients/faulty/*.c tests/unit/*.[ch])
for f in $files; do
  if clang-format --dry-run --Werror "$f" > /dev/null 2>&1; then checks=$((checks + 1))
  else bad "$f is not formatted: run 'make format'"; fi
done
ok "$checks files formatted as .clang-format says"
finish
