#!/usr/bin/env bash
# The server suite (scenarios/server-*.json, tag "server") passes against
# the reference builds and against echo services nobody here wrote: Python's
# socketserver (tests/integration/servers/threaded_server.py, TCP and UDP)
# and socat with fork (TCP). Each run's wall time is printed. (That each
# scenario fails against its faulty build, for its reason, is faulty.sh.)
. "$(dirname "$0")/lib.bash"
need socat socat
need xmllint libxml2-utils

py=$(command -v python3)
suite() { # NAME TAG-ARGS... -- RUN-ARGS...: runs the suite, checks every scenario of it PASSes
  local name=$1 tags=() names
  shift
  while [ "$1" != -- ]; do tags+=(--tag "$1"); shift; done
  shift
  "$EH" run -q -j 2 --tag server "${tags[@]}" --report-dir "$WORK/$name" "$@" scenarios > "$WORK/$name.stdout" 2>&1
  status=$?
  [ $status -eq 0 ] && ok "$name: exit 0 in $(json "$WORK/$name/report.json" "d['duration_ms']") ms" \
    || { bad "$name: expected exit 0, got $status"; cat "$WORK/$name.stdout"; }
  names=$("$EH" list --tag server "${tags[@]}" scenarios | grep '^[a-z]' | awk '{print $1}')
  [ -n "$names" ] || bad "$name: no scenario selected"
  for s in $names; do
    v=$(verdict_of "$WORK/$name" "$s")
    [ "$v" = PASS ] && ok "$name: $s PASS" || bad "$name: $s expected PASS, got $v: $(reason_of "$WORK/$name" "$s")"
  done
}

n=$("$EH" list --tag server scenarios | grep -c '^server-')
[ "$n" -ge 14 ] && ok "the suite: $n scenarios tagged server" || bad "only $n scenarios tagged server"
suite reference --
suite python-socketserver -- --server-cmd "$py tests/integration/servers/threaded_server.py {transport} {host} {port}"
suite socat-fork tcp -- --server-cmd "socat TCP-LISTEN:{port},reuseaddr,fork EXEC:cat"
finish
