#!/usr/bin/env bash
# Every capture the harness writes opens in tshark (and so in Wireshark):
# the reference run's pcap/<scenario>.pcap, one per scenario.
. "$(dirname "$0")/lib.bash"
need tshark tshark
need xmllint libxml2-utils

out=$WORK/ref
"$EH" run -q -j 2 --report-dir "$out" scenarios > "$WORK/stdout" 2>&1 \
  || { bad "run against the reference builds failed"; cat "$WORK/stdout"; }
for name in $("$EH" list scenarios | awk 'NR > 1 && /^[^ ]/ {print $1}'); do # as a folder run selects
  p=$out/pcap/$name.pcap
  if [ ! -s "$p" ]; then bad "no ${p#"$out"/}"
  elif tshark -r "$p" > /dev/null 2> "$WORK/tshark.err"; then ok "tshark opens ${p#"$out"/}"
  else bad "tshark cannot open ${p#"$out"/}: $(cat "$WORK/tshark.err")"; fi
done
finish
