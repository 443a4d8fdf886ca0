#!/usr/bin/env bash
# Every scenario passes against the reference builds, and the report
# directory holds every file the design promises. (That tshark opens the
# captures is tshark-opens-captures.sh.)
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils

out=$WORK/ref
"$EH" run -q -j 2 --report-dir "$out" scenarios > "$WORK/stdout" 2>&1
status=$?
[ $status -eq 0 ] && ok "run exits 0 against the reference builds" \
  || { bad "run exited $status against the reference builds"; cat "$WORK/stdout"; }
for f in report.json junit.xml report.html summary.md; do
  [ -s "$out/$f" ] && ok "$f written" || bad "$f missing"
done
# Every scenario a folder run selects (those tagged load only with --tag load: load.sh).
for name in $("$EH" list scenarios | awk 'NR > 1 && /^[^ ]/ {print $1}'); do
  v=$(verdict_of "$out" "$name")
  [ "$v" = PASS ] && ok "$name: PASS" || bad "$name: expected PASS, got $v: $(reason_of "$out" "$name")"
  [ -s "$out/pcap/$name.pcap" ] && ok "$name: pcap written" || bad "$name: no pcap/$name.pcap"
done
# The schema that finish() holds every junit.xml to does reject a wrong one.
sed 's/<testcase /<testcase flaky="true" /' "$out/junit.xml" > "$WORK/bad-junit.xml"
if xmllint --noout --schema "$SRC/reports/schema/junit.xsd" "$WORK/bad-junit.xml" 2> "$WORK/bad.out"; then
  bad "reports/schema/junit.xsd accepts a testcase with an unknown attribute"
else
  grep -q "attribute 'flaky' is not allowed" "$WORK/bad.out" && ok "reports/schema/junit.xsd rejects an unknown attribute" \
    || { bad "unexpected xmllint message:"; cat "$WORK/bad.out"; }
fi
finish
