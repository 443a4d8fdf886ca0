#!/usr/bin/env bash
# The host-loopback fallback (--no-namespaces) still judges every scenario
# and says so in the report. It captures on the host's lo, which needs
# CAP_NET_RAW (root). (An unprivileged user: isolation-unprivileged.sh.)
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils
cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
(( (16#${cap_eff:-0} >> 13) & 1 )) || skip "capturing on the host's lo needs CAP_NET_RAW (run as root)"

out=$WORK/host
"$EH" run -q --no-namespaces --report-dir "$out" scenarios > "$WORK/host.stdout" 2>&1
status=$?
[ $status -eq 0 ] && ok "--no-namespaces: every scenario passes" || { bad "--no-namespaces: exit $status"; cat "$WORK/host.stdout"; }
iso=$(json "$out/report.json" "d['isolation'] + ' / ' + d.get('isolation_note', '')")
[[ "$iso" == host-loopback* ]] && ok "report says: $iso" || bad "report isolation: $iso"
ports=$(json "$out/report.json" "sorted(set(s['endpoint']['port'] for s in d['scenarios']))")
[[ "$ports" != *65432* ]] && ok "host-loopback allocates ports: $ports" || bad "host-loopback used the fixed port: $ports"

# A server with a hard-coded port (--port) on the host loopback: scenarios
# run one at a time even with -j, or they would share the port (a client
# reaching the other scenario's server, EADDRINUSE).
py=$(command -v python3)
"$EH" run -q -j 2 --no-namespaces --port 45678 --report-dir "$WORK/fixed" \
  --server-cmd "$py tests/integration/servers/tutorial_server.py {host} {port}" \
  scenarios/basic-echo.json scenarios/ephemeral-client-port.json scenarios/empty-read-on-shutdown.json \
  > "$WORK/fixed.stdout" 2> "$WORK/fixed.stderr"
status=$?
[ $status -eq 0 ] && ok "--no-namespaces --port -j 2: every scenario passes" \
  || { bad "--no-namespaces --port -j 2: exit $status"; cat "$WORK/fixed.stdout" "$WORK/fixed.stderr"; }
grep -q "running one scenario at a time" "$WORK/fixed.stderr" && ok "says: $(cat "$WORK/fixed.stderr")" \
  || bad "no note about -j: $(cat "$WORK/fixed.stderr")"

finish
