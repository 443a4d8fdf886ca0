#!/usr/bin/env bash
# report.html in a real browser: Debian's chromium, headless, offline (a
# proxy that does not exist and no name resolution, so a page that fetched
# anything would fail to show it). For the report of a reference run of every
# scenario: the page logs nothing to the console (no script error, no
# Content-Security-Policy violation: its own script must run, proved by the
# filters it shows), its screenshot is not blank, and it holds one ladder
# diagram per connection (at most 6 a scenario), and printed it opens every
# section. For a run whose server
# under test prints markup and terminal escapes, and whose client sends them
# (so they reach the event logs, the ladder and the description): no
# injected script or handler runs (it would set the title) and no injected
# element exists. A 16 MiB echo draws its ladder bounded, says what it left
# out, keeps report.html small and opens quickly. Skips without chromium
# (make test-deps installs the Debian package chromium, where apt can).
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils
command -v chromium > /dev/null \
  || skip "chromium not installed (Debian package chromium; make test-deps installs it where apt can)"

# browse OUT_PREFIX URL [FLAG...]: chromium headless, offline, console to
# OUT_PREFIX.err; stdout (the DOM with --dump-dom) to OUT_PREFIX.out.
browse() {
  local prefix=$1 url=$2; shift 2
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$(mktemp -d "$WORK/profile.XXXXXX")" \
    --proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' --no-first-run \
    --enable-logging=stderr --v=0 --window-size=1280,2000 "$@" "$url" > "$prefix.out" 2> "$prefix.err"
}
# Console messages the page produced (chromium logs each as INFO:CONSOLE).
console() { grep -a 'CONSOLE' "$1.err" || true; }

# The console capture works: a page with a script error is caught.
printf '<!DOCTYPE html><title>t</title><script>undefinedFunction()</script>\n' > "$WORK/control.html"
start=$(date +%s%N)
browse "$WORK/control" "file://$WORK/control.html" --dump-dom
control_ms=$((($(date +%s%N) - start) / 1000000))
if console "$WORK/control" | grep -q 'undefinedFunction'; then ok "the console of a page reaches the test"
else bad "chromium's console was not captured; stderr: $(head -c 1500 "$WORK/control.err")"; fi

# A reference run of every scenario.
"$EH" run -q -j 2 --report-dir "$WORK/ref" scenarios > /dev/null 2>&1
html=$WORK/ref/report.html
browse "$WORK/ref" "file://$html" --dump-dom
c=$(console "$WORK/ref")
[ -z "$c" ] && ok "the reference report logs nothing to the console" || bad "console messages: $c"
grep -q '<form id="filters">' "$WORK/ref.out" && grep -q 'scenarios shown</span>' "$WORK/ref.out" \
  && ok "the page's own script ran under its Content-Security-Policy: $(grep -o '[0-9]* of [0-9]* scenarios shown' "$WORK/ref.out")" \
  || bad "the filters were not shown: the page's script did not run"
want=$(json "$WORK/ref/report.json" "sum(min(6, len(s.get('wire', {}).get('tcp', [])) + len(s.get('wire', {}).get('udp', []))) for s in d['scenarios'])")
got=$(grep -o '<svg class="ladder"' "$WORK/ref.out" | wc -l)
[ "$got" -eq "$want" ] && [ "$got" -gt 0 ] && ok "$got ladder diagrams in the DOM, one per connection" \
  || bad "expected $want ladder diagrams in the DOM, got $got"

# The screenshot is not blank: decode the PNG (zlib, PNG's row filters) and
# count the pixels that are not the background.
browse "$WORK/shot" "file://$html" --screenshot="$WORK/shot.png"
stats=$(python3 - "$WORK/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w, h, ctype = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), "unexpected PNG format"
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
bpp = 4 if ctype == 6 else 3
raw, stride = zlib.decompress(idat), w * bpp
prev, out, i = bytearray(stride), [], 0
for _ in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    out.append(line)
    prev = line
bg = tuple(out[0][:3])
ink = sum(1 for line in out for x in range(0, stride, bpp) if tuple(line[x:x + 3]) != bg)
lum = [sum(line[x:x + 3]) / 3 for line in out[::8] for x in range(0, stride, bpp * 8)]
mean = sum(lum) / len(lum)
print(w, h, ink, round(sum((v - mean) ** 2 for v in lum) / len(lum), 1))
PY
)
read -r w h ink var <<< "$stats"
if [ -n "${var:-}" ] && [ "$ink" -gt $((w * h / 100)) ] && [ "${var%.*}" -gt 50 ]; then
  ok "the screenshot is not blank: ${w}x${h}, $ink pixels not background, luminance variance $var"
else
  bad "the screenshot looks blank: $stats"
fi

# Printed, every section opens: the reference report, whose sections are
# all closed on screen (every scenario passed), prints the ladders and logs.
browse "$WORK/print" "file://$html" --print-to-pdf="$WORK/report.pdf" --no-pdf-header-footer
pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page[^s]", open(sys.argv[1], "rb").read())))' "$WORK/report.pdf")
[ "$pages" -gt 10 ] && ok "printed, the closed sections open: $pages pages" || bad "the printed report has $pages pages: its sections stayed closed"

# A run whose bytes are hostile: the description, the server's output and
# the client's bytes (in both event logs, the ladder's tooltips) carry
# markup that would set the title if it ran, and terminal escapes.
cat > "$WORK/hostile_server.py" <<'PY'
import socket, sys
evil = "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\">\x1b[2J\x1b]0;PWNED\x07"
print(evil, flush=True)
print(evil, file=sys.stderr, flush=True)
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[1], int(sys.argv[2])))
    s.listen()
    c, _ = s.accept()
    with c:
        while True:
            d = c.recv(1024)
            if not d:
                break
            c.sendall(d)
PY
python3 - "$WORK/hostile.json" <<'PY'
import json, sys
evil = "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\">\x1b[2J"
json.dump({"description": "Hostile bytes everywhere: `" + evil + "` " + evil,
           "kind": "conformance", "tags": ["tcp", "ipv4"],
           "server": {"under_test": True},
           "client": {"steps": [{"connect": {}}, {"send": {"text": evil}}, {"shutdown_write": {}},
                                {"recv": {"until_eof": True}}, {"close": {}}]},
           "expect": [{"echo": {"relation": "exact"}}]}, open(sys.argv[1], "w"))
PY
"$EH" run -q --report-dir "$WORK/hostile" --server-cmd "python3 $WORK/hostile_server.py {host} {port}" \
  "$WORK/hostile.json" > "$WORK/hostile.stdout" 2>&1
v=$(verdict_of "$WORK/hostile" hostile)
[ "$v" = PASS ] && ok "the hostile run passed (its bytes reached the report)" || bad "hostile run: $v: $(cat "$WORK/hostile.stdout")"
browse "$WORK/hostile-dom" "file://$WORK/hostile/report.html" --dump-dom
title=$(grep -o '<title>[^<]*</title>' "$WORK/hostile-dom.out" | head -1)
case "$title" in *PWNED*|'') bad "an injected script ran or the page did not load: title '$title'" ;;
  *) ok "no injected script ran: $title" ;; esac
if grep -q '<img' "$WORK/hostile-dom.out" || [ "$(grep -o '<script' "$WORK/hostile-dom.out" | wc -l)" -ne 1 ]; then
  bad "an injected element is in the DOM: $(grep -o '<img[^>]*>\|<script[^>]*>' "$WORK/hostile-dom.out" | head -3)"
else
  ok "the DOM holds no injected element (one <script>, the page's own; no <img>)"
fi
grep -q '&lt;script&gt;document.title' "$WORK/hostile-dom.out" && ok "the hostile bytes are shown as text" \
  || bad "the hostile bytes are not shown as text"
grep -qa $'\x1b' "$WORK/hostile/report.html" && bad "report.html holds a raw ESC byte" || ok "no raw ESC byte in report.html"
c=$(console "$WORK/hostile-dom")
[ -z "$c" ] && ok "the hostile report logs nothing to the console" || bad "console messages: $c"
grep -q '<svg class="ladder"' "$WORK/hostile-dom.out" && ok "the hostile run's ladder is drawn" || bad "no ladder in the hostile report"

# A 16 MiB echo (the reference client, which reads while it sends: a client
# that sends it all first would wait on a server waiting on it): the ladder
# stays bounded and says what it left out.
python3 - "$WORK/stream-16mib.json" <<'PY'
import json, sys
json.dump({"description": "A 16 MiB stream echoed, read while it is sent.",
           "kind": "conformance", "tags": ["tcp", "ipv4", "stream"], "timeout_ms": 30000,
           "client": {"args": ["--payload-random", "16777216", "--read-all", "--shutdown-write",
                               "--recv-size", "65536"]},
           "expect": [{"exit": {"who": "client", "code": [0]}},
                      {"wire_echo": {"relation": "exact"}}]}, open(sys.argv[1], "w"))
PY
"$EH" run -q --report-dir "$WORK/big" scenarios/large-stream-echo.json "$WORK/stream-16mib.json" > "$WORK/big.stdout" 2>&1 \
  && ok "large-stream-echo and the 16 MiB stream passed" || bad "the stream runs: $(cat "$WORK/big.stdout")"
for s in large-stream-echo stream-16mib; do
  p=$(json "$WORK/big/report.json" "[x['wire']['tcp'][0]['segments']['total'] for x in d['scenarios'] if x['name']=='$s'][0]")
  echo "note: $s: $p packets on its connection"
done
omitted=$(json "$WORK/big/report.json" "[x['wire']['tcp'][0]['segments']['omitted'] for x in d['scenarios'] if x['name']=='stream-16mib'][0]")
[ "$omitted" -gt 0 ] && ok "the 16 MiB connection's record left out $omitted packets" || bad "16 MiB: nothing left out ($omitted)"
"$EH" analyze -v "$WORK/big/pcap/stream-16mib.pcap" > "$WORK/big.analyze" 2>&1
grep -q "^      \.\.\. $omitted packets not kept \.\.\.$" "$WORK/big.analyze" && ok "analyze -v says it left out $omitted packets" \
  || bad "analyze -v of the 16 MiB capture: $(grep -m3 'packets' "$WORK/big.analyze")"
size=$(stat -c %s "$WORK/big/report.html")
[ "$size" -lt $((3 << 20)) ] && ok "report.html of both streams is $size bytes (< 3 MiB)" || bad "report.html is $size bytes"
sed 's/<details id="\([^"]*\)" data-verdict/<details open id="\1" data-verdict/' "$WORK/big/report.html" > "$WORK/big/open.html"
start=$(date +%s%N)
browse "$WORK/big-dom" "file://$WORK/big/open.html" --dump-dom
ms=$((($(date +%s%N) - start) / 1000000))
n=$(grep -o '<svg class="ladder"' "$WORK/big-dom.out" | wc -l)
[ "$n" -eq 2 ] && ok "both streams drawn, every section open: chromium loaded and dumped the page in $ms ms" \
  || bad "expected 2 ladders, got $n (in $ms ms)"
grep -q 'socket calls not drawn, from ' "$WORK/big-dom.out" && ok "the long ladder says what it did not draw" \
  || bad "the long ladder does not say what it left out"
c=$(console "$WORK/big-dom")
[ -z "$c" ] && ok "the large report logs nothing to the console" || bad "console messages: $c"
# The browser's own start is most of it: a one-line page took $control_ms ms.
[ $((ms - control_ms)) -lt 10000 ] && ok "the page took $((ms - control_ms)) ms more than a one-line page ($ms against $control_ms ms)" \
  || bad "the page took $ms ms, a one-line page $control_ms ms"
finish
