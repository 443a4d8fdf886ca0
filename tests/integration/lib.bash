# lib.bash - shared helpers of the integration tests (sourced, not run).
# CTest sets EH_SOURCE_DIR and EH_BIN_DIR; every test prints what it checked
# and exits 0 on success, 1 on a failure, and 77 (CTest: Skipped) with a
# one-line reason when its premise is missing here (`need`, `skip`).
# finish() validates every junit.xml the test wrote below $WORK against the
# project's schema, reports/schema/junit.xsd, and, where EH_EXTRA_JUNIT_XSD
# names another schema file (such as the Jenkins xUnit plugin's
# junit-10.xsd), against that too; a test that writes reports declares
# `need xmllint libxml2-utils`.
set -u
SRC=${EH_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${EH_BIN_DIR:-$SRC/build/bin}
EH=$BIN/echoharness
WORK=$(mktemp -d "${TMPDIR:-/tmp}/eh-it.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# EH_WRAPPER (make test-valgrind: "valgrind --error-exitcode=99 ...") runs
# every "$EH" under a wrapper: $EH becomes a script that execs the wrapper's
# words with the real program, so its pid, exit status and signals stay the
# harness's own. valgrind writes to $WORK/valgrind.log (appended to by every
# process, the harness's forked children included), not to the harness's
# stderr, which tests read; finish() fails the test on any report in it. A
# report in a forked child (the fork server, a scenario's process) does not
# change the harness's exit status, so without the log it would pass unseen.
VALGRIND_LOG=$WORK/valgrind.log
if [ -n "${EH_WRAPPER:-}" ]; then
  case $EH_WRAPPER in
    valgrind\ * | */valgrind\ *)
      printf '#!/usr/bin/env bash\nexec 9>> %q\nexec %s --log-fd=9 %q "$@"\n' \
        "$VALGRIND_LOG" "$EH_WRAPPER" "$EH" > "$WORK/echoharness" ;;
    *) printf '#!/usr/bin/env bash\nexec %s %q "$@"\n' "$EH_WRAPPER" "$EH" > "$WORK/echoharness" ;;
  esac
  chmod +x "$WORK/echoharness"
  EH=$WORK/echoharness
fi
cd "$SRC" || exit 1
failures=0
checks=0

ok() { checks=$((checks + 1)); printf 'ok   %s\n' "$*"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL %s\n' "$*"; }

# skip REASON: the test cannot run here; exits 77 before checking anything.
skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
# need COMMAND DEBIAN_PACKAGE: skip unless COMMAND is installed.
need() { command -v "$1" > /dev/null || skip "$1 not installed (Debian package $2; make test-deps installs it)"; }
need python3 python3

# check_junit FILE: FILE validates against the project's JUnit schema, and
# against EH_EXTRA_JUNIT_XSD where that is set.
check_junit() {
  local xsd
  for xsd in "$SRC/reports/schema/junit.xsd" ${EH_EXTRA_JUNIT_XSD:+"$EH_EXTRA_JUNIT_XSD"}; do
    if ! command -v xmllint > /dev/null; then
      bad "cannot validate $1: xmllint not installed (the test must 'need xmllint libxml2-utils')"
    elif xmllint --noout --schema "$xsd" "$1" 2> "$WORK/xmllint.out"; then
      ok "${1#"$WORK"/} validates against $(basename "$xsd")"
    else
      bad "${1#"$WORK"/} does not validate against $xsd:"
      head -c 2000 "$WORK/xmllint.out"
    fi
  done
}

# json FILE EXPR: evaluates a Python expression over the parsed document `d`.
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# verdict_of REPORT_DIR SCENARIO
verdict_of() { json "$1/report.json" "[s['verdict'] for s in d['scenarios'] if s['name']=='$2'][0]"; }
reason_of() { json "$1/report.json" "[s['reason'] for s in d['scenarios'] if s['name']=='$2'][0]"; }

# Processes whose command line contains a marker, other than this shell's own.
leftovers() { pgrep -af -- "$1" | grep -v -e pgrep -e "$$" || true; }

# Every scenario file but the server suite's (the scenarios tagged server),
# one per line: that suite expects a service, so the tests that run a
# server serving one client and exiting (the tutorial's) leave it out.
without_server_suite() {
  local f
  for f in scenarios/*.json; do
    "$EH" list --tag server "$f" 2> /dev/null | grep -q "^$(basename "$f" .json) " && continue
    # A file named alone is run even when tagged load: leave those out too
    # (integration/load runs them).
    "$EH" list --tag load "$f" 2> /dev/null | grep -q "^$(basename "$f" .json) " && continue
    echo "$f"
  done
}

# A python3 that can import MODULE (Debian's python3-MODULE packages are for
# /usr/bin/python3, which may not be the first python3 in PATH).
python_with() {
  local p
  for p in python3 /usr/bin/python3; do
    "$p" -c "import $1" 2> /dev/null && { command -v "$p"; return 0; }
  done
  return 1
}
schema_python() { python_with jsonschema; }

# Every report directory echoharness wrote below $WORK (report.json beside
# junit.xml) holds a report.json valid against reports/schema/report.schema.json.
validate_reports() {
  local files=() f py
  while IFS= read -r f; do
    [ -f "${f%/*}/junit.xml" ] && files+=("$f")
  done < <(find "$WORK" -name report.json 2> /dev/null | sort)
  [ ${#files[@]} -gt 0 ] || return 0
  if ! py=$(schema_python); then
    echo "note: ${#files[@]} report.json not checked against the schema: python3-jsonschema not installed"
    return 0
  fi
  if "$py" "$SRC/tests/integration/validate-report.py" "${files[@]}" > "$WORK/schema.out" 2>&1; then
    ok "${#files[@]} report.json valid against reports/schema/report.schema.json"
  else
    bad "report.json not valid against reports/schema/report.schema.json:"
    cat "$WORK/schema.out"
  fi
}

# memcheck's reports: every line of one starts "==PID==". Its own notices
# ("--PID-- WARNING: unhandled amd64-linux syscall: 434": valgrind 3.19 does
# not know pidfd_open, and the harness then polls) are not reports.
valgrind_reports() {
  [ -s "$VALGRIND_LOG" ] || return 0
  if grep -q '^==[0-9]*==' "$VALGRIND_LOG"; then
    bad "memcheck reported errors (each process's report starts ==PID==):"
    grep '^==[0-9]*==' "$VALGRIND_LOG" | head -300
  fi
}

finish() {
  valgrind_reports
  validate_reports
  local junit
  while IFS= read -r -d '' junit; do check_junit "$junit"; done \
    < <(find "$WORK" -name junit.xml -print0 | sort -z)
  printf '%d passed, %d failed\n' $((checks - failures)) "$failures"
  [ "$failures" -eq 0 ]
  exit $?
}
