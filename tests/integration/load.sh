#!/usr/bin/env bash
# Load without loss: scenarios/load-1000-connections.json (opt-in, tag load)
# passes against the reference builds: 1000 concurrent connections to
# echo-server --concurrent, 1073742 bytes each (1 GiB in all) echoed as 256 KiB requests with every
# byte checked by echo-client --load. Also checks that
#  - a folder run leaves it out unless --tag load asks for it;
#  - the scenario ends within its deadline (60 s, times EH_TIMEOUT_SCALE),
#    the whole run, reports included, within three times that, in bounded
#    memory, and its capture (128 bytes a packet) stays small;
#  - the same load in small (tests/integration/scenarios/load-small.json)
#    passes, and its client names a corrupted byte; it fails at once, saying
#    so, when the descriptor limit cannot hold its connections;
# and prints the throughput and round trips the client measured. Bounded:
# one run of the scenario, two short runs of the small one, one of a client
# that cannot start. The 1000-connection report (about 30 MB) is held to
# the schema like every other, which takes most of this test's time.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils
need /usr/bin/time time

scale=${EH_TIMEOUT_SCALE:-1}
limit=$(python3 -c "import math; print(math.ceil(60 * $scale))")

"$EH" list scenarios > "$WORK/list"
grep -q '^load-1000-connections ' "$WORK/list" && bad "a folder's list includes the load scenario without --tag load" \
  || ok "a folder run leaves load-1000-connections out without --tag load"
"$EH" list --tag load scenarios > "$WORK/list"
grep -q '^load-1000-connections ' "$WORK/list" && ok "--tag load selects it" || bad "--tag load: $(cat "$WORK/list")"

out=$WORK/load
start=$(date +%s%N)
/usr/bin/time -f '%M' -o "$WORK/rss" timeout -k 5 $((limit * 4)) \
  "$EH" run -q --tag load --report-dir "$out" scenarios > "$WORK/stdout" 2>&1
status=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
v=$(verdict_of "$out" load-1000-connections 2> /dev/null)
if [ $status -eq 0 ] && [ "$v" = PASS ]; then ok "load-1000-connections: PASS in $elapsed ms"
else bad "load-1000-connections: exit $status, $v: $(reason_of "$out" load-1000-connections 2> /dev/null)"; cat "$WORK/stdout"; fi
took=$(json "$out/report.json" "d['scenarios'][0]['duration_ms']" 2> /dev/null)
[ -n "$took" ] && [ "$took" -le $((limit * 1000)) ] && ok "the scenario took $took ms (deadline $limit s)" \
  || bad "the scenario took '$took' ms (deadline $limit s)"
[ "$elapsed" -le $((limit * 3000)) ] && ok "the run, reports included, took $elapsed ms (limit $((limit * 3)) s)" \
  || bad "the run took $elapsed ms (limit $((limit * 3)) s)"
kib=$(tail -1 "$WORK/rss")
[ "$kib" -le $((512 * 1024)) ] && ok "peak memory $((kib / 1024)) MiB (limit 512)" || bad "peak memory $((kib / 1024)) MiB"
json "$out/report.json" "d['scenarios'][0]['roles']['client']['stdout']" | sed 's/^/    /'
pcap_bytes=$(stat -c %s "$out/pcap/load-1000-connections.pcap" 2> /dev/null || echo 0)
[ "$pcap_bytes" -gt 0 ] && [ "$pcap_bytes" -le $((64 << 20)) ] && ok "capture of $pcap_bytes bytes for 2 GiB of echo" \
  || bad "capture of $pcap_bytes bytes"
dropped=$(json "$out/report.json" "d['scenarios'][0]['capture']['dropped']")
[ "$dropped" = 0 ] && ok "the capture dropped no packet" || bad "the capture dropped $dropped packets"

# The same load in small passes, and names a corrupted byte (faulty-server-corrupt
# flips bit 5 of each).
small=tests/integration/scenarios/load-small.json
"$EH" run -q --report-dir "$WORK/small" "$small" > /dev/null 2>&1
v=$(verdict_of "$WORK/small" load-small 2> /dev/null)
[ "$v" = PASS ] && ok "load-small: PASS" || bad "load-small: $v: $(reason_of "$WORK/small" load-small 2> /dev/null)"
"$EH" run -q --report-dir "$WORK/corrupt" --server-program faulty-server-corrupt "$small" > /dev/null 2>&1
status=$?
said=$(json "$WORK/corrupt/report.json" "d['scenarios'][0]['roles']['client']['stderr']")
[ $status -eq 1 ] && [[ "$said" == *"byte 0 of the echo differs: expected 0x"* ]] \
  && ok "a corrupted echo: $(verdict_of "$WORK/corrupt" load-small); the client said: $said" \
  || bad "a corrupted echo: exit $status, the client said: $said"
# 200 connections under a hard limit of 64 descriptors: refused before connecting.
bash -c "ulimit -n 64; exec timeout 20 $BIN/echo-client --port 9 --load 200" > "$WORK/fd.out" 2>&1
status=$?
grep -q "load 200 needs 216 file descriptors; the hard limit (ulimit -Hn) is 64" "$WORK/fd.out" && [ $status -eq 1 ] \
  && ok "too few descriptors: exit 1: $(cat "$WORK/fd.out")" || bad "too few descriptors: exit $status: $(cat "$WORK/fd.out")"
finish
