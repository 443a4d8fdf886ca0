#!/usr/bin/env bash
# A capture that lost packets cannot judge the wire: the scenario is ERROR
# and says how many were dropped, never PASS on incomplete evidence. The
# drops are made on purpose with capture.c's test hooks (the smallest buffer,
# a capture thread that starts reading late) and a 4 MiB echo.
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

cat > "$WORK/big-echo.json" <<'JSON'
{
  "description": "A 4 MiB echo through the scripted client.",
  "kind": "conformance",
  "client": {"steps": [
    {"connect": {}},
    {"send": {"random": 4194304, "seed": 7}},
    {"shutdown_write": {}},
    {"recv": {"until_eof": true}},
    {"close": {}}
  ]},
  "expect": [{"wire_echo": {"relation": "exact"}}, {"wire_close": {"class": "graceful"}}]
}
JSON

"$EH" run -q --report-dir "$WORK/ok" "$WORK/big-echo.json" > "$WORK/ok.stdout" 2>&1
v=$(verdict_of "$WORK/ok" big-echo)
[ "$v" = PASS ] && ok "without the hooks the 4 MiB echo passes" || { bad "without the hooks: $v: $(reason_of "$WORK/ok" big-echo)"; cat "$WORK/ok.stdout"; }

EH_TEST_CAPTURE_BUFFER_BYTES=1 EH_TEST_CAPTURE_STALL_MS=500 \
  "$EH" run -q --report-dir "$WORK/drop" "$WORK/big-echo.json" > "$WORK/drop.stdout" 2>&1
status=$?
v=$(verdict_of "$WORK/drop" big-echo)
why=$(reason_of "$WORK/drop" big-echo)
dropped=$(json "$WORK/drop/report.json" "d['scenarios'][0]['capture']['dropped']")
if [ $status -eq 1 ] && [ "$v" = ERROR ] && [[ "$why" == "capture dropped $dropped packets (kernel "*"the wire evidence is incomplete" ]] && [ "$dropped" -gt 0 ]; then
  ok "dropped packets: exit 1, $v: $why"
else
  bad "dropped packets: expected exit 1 and ERROR naming the drops, got exit $status, $v: $why (dropped: $dropped)"
  cat "$WORK/drop.stdout"
fi
finish
