#!/usr/bin/env bash
# Every scenario passes against the reference builds, and the report
# directory holds every file the design promises.
. "$(dirname "$0")/lib.bash"

out=$WORK/ref
"$EH" run -q -j 2 --report-dir "$out" scenarios > "$WORK/stdout" 2>&1
status=$?
[ $status -eq 0 ] && ok "run exits 0 against the reference builds" \
  || { bad "run exited $status against the reference builds"; cat "$WORK/stdout"; }
for f in report.json junit.xml report.html summary.md; do
  [ -s "$out/$f" ] && ok "$f written" || bad "$f missing"
done
for s in scenarios/*.json; do
  name=$(basename "$s" .json)
  v=$(verdict_of "$out" "$name")
  [ "$v" = PASS ] && ok "$name: PASS" || bad "$name: expected PASS, got $v: $(reason_of "$out" "$name")"
  [ -s "$out/pcap/$name.pcap" ] && ok "$name: pcap written" || bad "$name: no pcap/$name.pcap"
done
if command -v tshark >/dev/null; then
  for p in "$out"/pcap/*.pcap; do
    tshark -r "$p" > /dev/null 2>&1 && ok "tshark opens $(basename "$p")" || bad "tshark cannot open $p"
  done
else
  echo "skip tshark check: tshark not installed"
fi
xsd=$SRC/../shared/schemas/junit-10.xsd
if [ -f "$xsd" ] && command -v xmllint >/dev/null; then
  xmllint --noout --schema "$xsd" "$out/junit.xml" 2>"$WORK/xmllint" && ok "junit.xml validates against junit-10.xsd" \
    || { bad "junit.xml does not validate"; cat "$WORK/xmllint"; }
else
  echo "skip junit schema check: ../shared/schemas/junit-10.xsd or xmllint absent"
fi
finish
