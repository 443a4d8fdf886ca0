#!/usr/bin/env bash
# Hostile scenario files: what echoharness reads is bounded and what it says
# about it is safe on a terminal.
#  - A scenario file above 1 MiB (the 70 MB one that once took
#    seconds and hundreds of MB, a pipe and /dev/zero that never end) is refused with
#    exit 2 and a message naming the file and its size, at once and in little
#    memory; a file of exactly 1 MiB still loads.
#  - Bytes >= 0x80 and control characters in an unknown key, in a string
#    value and in the file name never reach the terminal: everything validate,
#    list and run print is printable ASCII (and newlines).
. "$(dirname "$0")/lib.bash"
need xmllint libxml2-utils
need /usr/bin/time time

valid='{"description": "x", "kind": "behaviour", "client": {}, "expect": [{"echo": {"relation": "exact"}}]}'

# refused FILE WHAT SIZE_TEXT: validate exits 2 within 1 s (times
# EH_TIMEOUT_SCALE: valgrind's start-up alone takes more) in under 64 MiB,
# naming FILE and SIZE_TEXT.
refused() {
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$EH" validate "$1" > "$WORK/out" 2> "$WORK/err"
  local status=$? secs kb
  read -r secs kb < <(tail -1 "$WORK/time") # after "Command exited with non-zero status 2"
  if [ $status -eq 2 ] && grep -qF "$1: $3" "$WORK/err"; then ok "$2: exit 2: $(head -1 "$WORK/err")"
  else bad "$2: expected exit 2 and '$1: $3', got exit $status: $(head -3 "$WORK/err")"; fi
  python3 -c "import sys; sys.exit(not (float('$secs') < ${EH_TIMEOUT_SCALE:-1} and int('$kb') < 65536))" \
    && ok "$2: refused in ${secs} s, ${kb} KiB peak" || bad "$2: took ${secs} s, ${kb} KiB peak"
}

truncate -s 70000000 "$WORK/70mb.json"
refused "$WORK/70mb.json" "a 70 MB scenario file" "70000000 bytes, more than the 1048576 bytes (1 MiB)"
{ printf '%s' "$valid"; head -c $((1048577 - ${#valid})) /dev/zero | tr '\0' ' '; } > "$WORK/over.json"
refused "$WORK/over.json" "a scenario file one byte over 1 MiB" "1048577 bytes, more than"
refused /dev/zero "/dev/zero (no size, never ends)" "more than the 1048576 bytes"
mkfifo "$WORK/fifo.json"
timeout 10 yes > "$WORK/fifo.json" 2> /dev/null &
writer=$!
refused "$WORK/fifo.json" "a pipe that never ends" "more than the 1048576 bytes"
kill "$writer" 2> /dev/null # it died of SIGPIPE when validate closed the pipe, unless that failed
wait "$writer" 2> /dev/null

{ printf '%s' "$valid"; head -c $((1048576 - ${#valid})) /dev/zero | tr '\0' ' '; } > "$WORK/exact.json"
"$EH" validate "$WORK/exact.json" > "$WORK/out" 2>&1 && ok "a scenario file of exactly 1 MiB loads" \
  || bad "a scenario file of exactly 1 MiB: $(cat "$WORK/out")"

# Bytes a terminal must never see raw, in every place a file can hold them.
mkdir -p "$WORK/nonascii"
python3 - "$WORK/nonascii" << 'EOF'
import sys
d = sys.argv[1].encode()
body = b'"description": "x", "kind": "behaviour", "client": {}, "expect": [{"echo": {"relation": "exact"}}]'
cases = {
    b'unknown-key-latin1': b'{' + body + b', "k\xe9y\x1b[31m": 1}',
    b'unknown-key-utf8': b'{' + body + b', "k\xc3\xa9y\xe2\x80\xae": 1}',
    b'string-latin1': b'{' + body.replace(b'"x"', b'"\xff\xfe\x9b"') + b'}',
    b'string-utf8-enum': b'{' + body.replace(b'"behaviour"', b'"behavio\xc3\xbcr\xe2\x80\xae"') + b'}',
    b'tag-utf8': b'{' + body + b', "tags": ["t\xc3\xa4g"]}',
    b'name-\xe9\x1b[2J\x07': b'{' + body + b', "k": 1}',
}
for name, text in cases.items():
    open(d + b'/' + name + b'.json', 'wb').write(text)
EOF
# A run with the escaped file name, which is valid apart from its name.
runnable="$WORK/runnable"
mkdir -p "$runnable"
cp scenarios/basic-echo.json "$runnable/$(printf 'caf\xc3\xa9-\x1b[31mred')".json

ascii_only() { # WHAT FILE...: every byte is printable ASCII or a newline
  if python3 -c '
import sys
bad = [b for f in sys.argv[1:] for b in open(f, "rb").read() if not (32 <= b < 127 or b == 10)]
sys.exit(1 if bad else 0)' "${@:2}"; then ok "$1: printable ASCII only"
  else bad "$1: raw bytes reached the terminal:"; cat -v "${@:2}" | head -5; fi
}

for f in "$WORK"/nonascii/*.json; do
  case_name=$(basename "$f" | cat -v)
  "$EH" validate "$f" > "$WORK/out" 2> "$WORK/err"
  status=$?
  [ $status -eq 2 ] && ok "validate $case_name: exit 2: $(cat "$WORK/err")" || bad "validate $case_name: exit $status"
  ascii_only "validate $case_name" "$WORK/out" "$WORK/err"
done
"$EH" list "$WORK/nonascii" > "$WORK/out" 2> "$WORK/err"
ascii_only "list of the directory" "$WORK/out" "$WORK/err"
"$EH" list "$runnable" > "$WORK/out" 2> "$WORK/err"
ascii_only "list of a scenario with bytes >= 0x80 and ESC in its file name" "$WORK/out" "$WORK/err"
grep -qF 'caf\xc3\xa9-\x1b[31mred' "$WORK/out" && ok "list shows the name escaped: $(head -1 "$WORK/out")" \
  || bad "list: $(cat "$WORK/out")"
"$EH" run --report-dir "$WORK/r" "$runnable" > "$WORK/out" 2> "$WORK/err"
status=$?
[ $status -eq 0 ] && ok "run of that scenario: exit 0" || bad "run of that scenario: exit $status: $(cat -v "$WORK/err")"
ascii_only "run of that scenario" "$WORK/out" "$WORK/err"
finish
