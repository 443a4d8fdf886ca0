#!/usr/bin/env bash
# The CI recipes in ci/ can be pasted as they are: every ci/*.yml and
# ci/*.yaml parses as YAML (every document of it), holds at least one
# echoharness command line, and each such line uses only a subcommand and
# options that README.md documents. The check itself is shown to catch an
# undocumented option and a file that is not YAML. Exit 77 (CTest: skipped)
# without python3-yaml.
. "$(dirname "$0")/lib.bash"
py=$(python_with yaml) || { echo "SKIP: python3-yaml is not installed (make test-deps installs it)"; exit 77; }

# check_recipes README FILE...: one line per finding, "OK what" or "BAD what".
check_recipes() {
  "$py" - "$@" << 'PY'
import re, sys, yaml

readme = open(sys.argv[1], encoding="utf-8").read()

def strings(node):
    """Every string value of a parsed YAML document (keys are names, not commands)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)

# "echoharness SUBCOMMAND ..." up to the end of the (continued) line; the word
# may follow a path (/opt/echoharness/bin/echoharness) but not be part of a name.
COMMAND = re.compile(r"(?:^|[\s/;&|(])echoharness[ \t]+([a-z][a-z-]*)([^\n;&|]*)")
OPTION = re.compile(r"(?<![\w$-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")

def documented(word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", readme) is not None

for path in sys.argv[2:]:
    try:
        docs = list(yaml.safe_load_all(open(path, encoding="utf-8")))
    except yaml.YAMLError as e:
        print("BAD %s: not YAML: %s" % (path, str(e).replace("\n", " ")))
        continue
    print("OK %s parses as YAML (%d document%s)" % (path, len(docs), "" if len(docs) == 1 else "s"))
    n = 0
    for text in (s for d in docs for s in strings(d)):
        text = text.replace("\\\n", " ")
        for m in COMMAND.finditer(text):
            n += 1
            sub, rest = m.group(1), m.group(2)
            line = ("echoharness %s%s" % (sub, rest)).strip()
            known = re.search(r"`echoharness %s(?![\w-])" % re.escape(sub), readme)
            if not known:
                print("BAD %s: subcommand '%s' is not in README.md: %s" % (path, sub, line))
            bad = [o for o in OPTION.findall(rest) if not documented(o)]
            if bad:
                print("BAD %s: option%s %s not in README.md: %s" % (path, "s" if len(bad) > 1 else "", ", ".join(bad), line))
            if known and not bad:
                print("OK %s: %s" % (path, line))
    if n == 0:
        print("BAD %s: no echoharness command line" % path)
PY
}

shopt -s nullglob
recipes=(ci/*.yml ci/*.yaml)
[ ${#recipes[@]} -ge 3 ] && ok "${#recipes[@]} recipes in ci/" || bad "only ${#recipes[@]} recipes in ci/"
while read -r verdict what; do
  if [ "$verdict" = OK ]; then ok "$what"; else bad "$what"; fi
done < <(check_recipes README.md "${recipes[@]}")

# The check can fail: an undocumented option, an unknown subcommand, a file that is not YAML.
cat > "$WORK/bad.yml" << 'EOF2'
job:
  script:
    - echoharness run --shard 1/2 --frobnicate --report-dir r
    - /opt/echoharness/bin/echoharness frob --report-dir r
EOF2
printf 'job: [unclosed\n' > "$WORK/broken.yaml"
out=$(check_recipes README.md "$WORK/bad.yml" "$WORK/broken.yaml")
grep -q "^BAD .*bad.yml: option.* --frobnicate.* not in README.md" <<< "$out" && ok "an undocumented option is caught" \
  || bad "--frobnicate was not caught: $out"
grep -q "^BAD .*subcommand 'frob' is not in README.md" <<< "$out" && ok "an undocumented subcommand is caught" \
  || bad "'frob' was not caught: $out"
grep -q "^BAD .*broken.yaml: not YAML" <<< "$out" && ok "a file that is not YAML is caught" \
  || bad "broken.yaml was not caught: $out"
finish
