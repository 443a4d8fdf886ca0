#!/usr/bin/env bash
# Network conditions really apply inside the scenario's namespace, and only
# there. server-large-stream-lossy asks for MTU 1500 and 3% loss: its
# capture shows an MSS of 1460 and no segment above 1448 bytes, where
# large-stream-echo on the namespace's default lo shows 64 KiB segments, and
# retransmissions in both directions (500000 bytes each way under 3% loss
# leave none with a chance below 1e-9), counted in report.json and
# summary.md, where the lossless run has fewer (a tail loss probe may
# resend the last segment); the echo is still exact. The
# capture keeps up with MTU-sized packets (it is opened after the MTU is
# set). delay_ms needs netem: where the kernel lacks it the scenario is SKIP
# saying so, never a pass; where it has it, the handshake's round trip
# shows the delay. On the host loopback conditions are never applied, and
# the host's lo keeps its MTU.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

# run NAME ARGS...: runs echoharness into $WORK/NAME.
run() { local name=$1; shift; "$EH" run -q --report-dir "$WORK/$name" "$@" > "$WORK/$name.out" 2>&1; }
# sc NAME EXPR: a Python expression over the first scenario result `s`.
sc() { json "$WORK/$1/report.json" "(lambda s: $2)(d['scenarios'][0])"; }

run lossy scenarios/server-large-stream-lossy.json
run plain scenarios/large-stream-echo.json
[ "$(sc lossy "s['verdict']")" = PASS ] && ok "lossy: PASS, the echo exact under loss" \
  || bad "lossy: $(sc lossy "s['verdict'] + ': ' + s['reason']")"
mss=$(sc lossy "s['wire']['tcp'][0]['c2s']['mss']")
segmax=$(sc lossy "max(c[d]['seg_max'] for c in s['wire']['tcp'] for d in ('c2s', 's2c'))")
plain_mss=$(sc plain "s['wire']['tcp'][0]['c2s']['mss']")
plain_segmax=$(sc plain "max(c[d]['seg_max'] for c in s['wire']['tcp'] for d in ('c2s', 's2c'))")
[ "$mss" = 1460 ] && [ "$segmax" -le 1448 ] && ok "MTU 1500 applied: MSS $mss, largest segment $segmax bytes" \
  || bad "MTU: MSS $mss, largest segment $segmax"
[ "$plain_mss" -gt 1460 ] && [ "$plain_segmax" -gt 1500 ] && ok "without conditions: MSS $plain_mss, largest segment $plain_segmax bytes" \
  || bad "without conditions: MSS $plain_mss, largest segment $plain_segmax"
c=$(sc lossy "s['network']['retransmitted_segments']['client']")
v=$(sc lossy "s['network']['retransmitted_segments']['server']")
w=$(sc lossy "sum(c['c2s']['retransmitted_segments'] + c['s2c']['retransmitted_segments'] for c in s['wire']['tcp'])")
applied=$(sc lossy "s['network']['applied']")
[ "$applied" = True ] && [ "$c" -gt 0 ] && [ "$v" -gt 0 ] && [ "$w" = $((c + v)) ] \
  && ok "3% loss applied: retransmitted segments client $c, server $v (the wire section agrees)" \
  || bad "loss: applied $applied, retransmitted client $c, server $v, wire $w"
pc=$(sc plain "sum(c['c2s']['retransmitted_segments'] + c['s2c']['retransmitted_segments'] for c in s['wire']['tcp'])")
[ "$pc" -lt $((c + v)) ] && [ "$(sc plain "'network' in s")" = False ] \
  && ok "without conditions: $pc retransmitted segments (a tail loss probe at most), no network section" \
  || bad "without conditions: $pc retransmitted segments, as many as under loss"
grep -qE "^- server-large-stream-lossy: MTU 1500, 3% loss; the capture shows $((c + v)) retransmitted segments \(client $c, server $v\)$" \
  "$WORK/lossy/summary.md" && ok "summary.md shows the conditions and the retransmissions" \
  || bad "summary.md: $(grep -A3 'Network conditions' "$WORK/lossy/summary.md")"

# The capture keeps up even when its reader stalls: its ring is sized for MTU-sized packets.
EH_TEST_CAPTURE_STALL_MS=300 run stall scenarios/server-large-stream-lossy.json
[ "$(sc stall "s['capture']['dropped']")" = 0 ] && [ "$(sc stall "s['verdict']")" = PASS ] \
  && ok "a capture stalled 300 ms drops none of $(sc stall "s['capture']['packets']") packets" \
  || bad "stalled capture: $(sc stall "s['verdict'] + ': ' + s['reason']")"

# delay_ms: netem, or SKIP saying why.
sed -e 's/"network": {"mtu": 1500, "loss_percent": 3}/"network": {"delay_ms": 50}/' \
  scenarios/server-half-close-lossy.json > "$WORK/delayed.json"
run delay "$WORK/delayed.json"
st=$?
v=$(sc delay "s['verdict']"); r=$(sc delay "s['reason']")
if [ "$v" = SKIP ]; then
  [ $st -eq 0 ] && [[ "$r" == "not judged here: delay_ms and reorder_percent need the kernel's netem qdisc (sch_netem), which this kernel lacks: adding netem to lo failed with "* ]] \
    && [ "$(sc delay "s['network']['applied']")" = False ] \
    && ok "no netem here: SKIP, exit 0: $r" || bad "delay: exit $st, $v: $r"
else
  syn=$(python3 - "$WORK/delay/report.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scenarios"][0]
print("%s %s" % (s["verdict"], s["wire"]["tcp"][0]["end_us"] - s["wire"]["tcp"][0]["start_us"]))
PY
)
  [[ "$syn" == "PASS "* ]] && [ "${syn#PASS }" -ge 100000 ] && ok "netem here: PASS, the connection lasted ${syn#PASS } us (>= 2 x 50 ms)" \
    || bad "delay with netem: $syn: $r"
fi

# The host loopback: never applied, SKIP, and the host's lo untouched.
before=$(cat /sys/class/net/lo/mtu)
run host --no-namespaces scenarios/server-large-stream-lossy.json
v=$(sc host "s['verdict']"); r=$(sc host "s['reason']")
[ "$v" = SKIP ] && [[ "$r" == "not judged here: network conditions need the scenario's own network namespace"* ]] \
  && ok "host loopback: SKIP: $r" || bad "host loopback: $v: $r"
[ "$(cat /sys/class/net/lo/mtu)" = "$before" ] && ok "the host's lo keeps its MTU $before" || bad "the host's lo MTU changed"
finish
