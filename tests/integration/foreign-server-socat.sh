#!/usr/bin/env bash
# socat as an echo server nobody here wrote (`EXEC:cat` per connection)
# passes the TCP scenarios over IPv4 that put the server under test, but
# those of the server suite: without fork it serves one client and exits,
# and the suite expects a service (server-suite.sh runs socat with fork).
. "$(dirname "$0")/lib.bash"
need socat socat
need xmllint libxml2-utils

out=$WORK/socat
# shellcheck disable=SC2046 # one word per scenario file
"$EH" run -q --tag tcp --tag ipv4 --report-dir "$out" \
  --server-cmd "socat TCP4-LISTEN:{port},bind={host},reuseaddr EXEC:cat" \
  $(without_server_suite) > "$WORK/stdout" 2>&1
status=$?
[ $status -eq 0 ] && ok "socat: exit 0" || { bad "socat: expected exit 0, got $status"; cat "$WORK/stdout"; }
for s in basic-echo ephemeral-client-port empty-read-on-shutdown; do
  v=$(verdict_of "$out" $s)
  [ "$v" = PASS ] && ok "socat: $s PASS" || bad "socat: $s expected PASS, got $v: $(reason_of "$out" $s)"
done
finish
