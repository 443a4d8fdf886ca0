#!/usr/bin/env bash
# socat as an echo server nobody here wrote (`EXEC:cat` per connection)
# passes the TCP scenarios over IPv4 that put the server under test.
. "$(dirname "$0")/lib.bash"
need socat socat
need xmllint libxml2-utils

out=$WORK/socat
"$EH" run -q --tag tcp --tag ipv4 --report-dir "$out" \
  --server-cmd "socat TCP4-LISTEN:{port},bind={host},reuseaddr EXEC:cat" scenarios > "$WORK/stdout" 2>&1
status=$?
[ $status -eq 0 ] && ok "socat: exit 0" || { bad "socat: expected exit 0, got $status"; cat "$WORK/stdout"; }
for s in basic-echo ephemeral-client-port empty-read-on-shutdown; do
  v=$(verdict_of "$out" $s)
  [ "$v" = PASS ] && ok "socat: $s PASS" || bad "socat: $s expected PASS, got $v: $(reason_of "$out" $s)"
done
finish
