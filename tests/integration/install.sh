#!/usr/bin/env bash
# An installed echoharness stands alone: `cmake --install` (and `make install
# PREFIX=...`) lay out bin/, libexec/echoharness/, share/echoharness/, the
# documentation and the man page; the prefix, moved to another folder of
# another depth with the original removed, runs its default scenarios from a
# folder outside the source tree against its own reference and faulty builds,
# compares with its own baseline, and its man page renders.
. "$(dirname "$0")/lib.bash"
build=$(cd "$BIN/.." && pwd)
prefix=$WORK/prefix

if cmake --install "$build" --prefix "$prefix" > "$WORK/install.out" 2>&1; then ok "cmake --install --prefix $prefix"
else bad "cmake --install failed:"; cat "$WORK/install.out"; fi
n_src=$(ls scenarios/*.json | wc -l)
n_inst=$(ls "$prefix"/share/echoharness/scenarios/*.json 2> /dev/null | wc -l)
[ "$n_inst" -eq "$n_src" ] && ok "$n_inst scenarios in share/echoharness/scenarios" \
  || bad "$n_inst of $n_src scenarios installed"
for f in bin/echoharness libexec/echoharness/echo-server libexec/echoharness/echo-client \
  libexec/echoharness/faulty-server-corrupt; do
  [ -x "$prefix/$f" ] && ok "$f installed" || bad "$f missing"
done
for f in share/echoharness/baselines/reference.json share/echoharness/schema/report.schema.json \
  share/doc/echoharness/README.md share/doc/echoharness/scenarios/README.md \
  share/doc/echoharness/reports/README.md share/doc/echoharness/ci/README.md \
  share/doc/echoharness/ci/github-actions.yml; do
  [ -s "$prefix/$f" ] && ok "$f installed" || bad "$f missing"
done
[ ! -e "$prefix/bin/echo-server" ] && ok "no helper program in bin/" || bad "echo-server is in bin/"

# Relocated: a copy at another depth, the original gone, run from outside the source tree.
mkdir -p "$WORK/elsewhere/deeper"
moved=$(cd "$WORK/elsewhere/deeper" && pwd -P)/eh # as realpath() will name it
mv "$prefix" "$moved"
mkdir -p "$WORK/cwd"
installed() { (cd "$WORK/cwd" && env -u EH_SOURCE_DIR -u EH_BIN_DIR "$moved/bin/echoharness" "$@"); }
installed run -q -j 2 --report-dir "$WORK/report" > "$WORK/run.out" 2>&1
status=$?
[ $status -eq 0 ] && ok "the moved install passes its default scenarios: $(tail -1 "$WORK/run.out")" \
  || { bad "the moved install's run exited $status"; cat "$WORK/run.out"; }
n=$(json "$WORK/report/report.json" "d['summary']['total']")
n_default=$("$EH" list scenarios | tail -n +2 | grep -c '^[^ ]') # a folder run leaves out those tagged load
[ "$n" -eq "$n_default" ] && ok "it ran all $n scenarios a folder run selects" || bad "it ran $n of $n_default scenarios"
files=$(json "$WORK/report/report.json" "sorted(set(s['file'].rsplit('/', 1)[0] for s in d['scenarios']))")
[ "$files" = "['$moved/share/echoharness/scenarios']" ] && ok "scenarios read from $moved/share/echoharness/scenarios" \
  || bad "scenarios read from $files"
progs=$(json "$WORK/report/report.json" "sorted(set(r['argv'][0].rsplit('/', 1)[0] for s in d['scenarios'] for r in s.get('roles', {}).values() if 'argv' in r))")
[ "$progs" = "['$moved/libexec/echoharness']" ] && ok "reference builds run from $moved/libexec/echoharness" \
  || bad "reference builds run from $progs"
installed run -q --filter basic-echo --server-program faulty-server-corrupt --report-dir "$WORK/faulty" > /dev/null 2>&1
status=$?
[ $status -eq 1 ] && ok "--server-program finds the installed faulty build (exit 1)" || bad "--server-program faulty-server-corrupt exited $status"
installed diff "$moved/share/echoharness/baselines/reference.json" "$WORK/report/report.json" > "$WORK/diff" 2>&1 \
  && ok "no regression against the installed baseline" || { bad "diff against the installed baseline failed"; cat "$WORK/diff"; }

# The man page: NAME, SYNOPSIS and every command's options.
man1=$moved/share/man/man1/echoharness.1
if [ -s "$man1" ]; then
  if command -v man > /dev/null; then
    MANWIDTH=80 man -l "$man1" > "$WORK/man.txt" 2> "$WORK/man.err"
  else
    cp "$man1" "$WORK/man.txt" # the source: sections are .SH lines
  fi
  missing=""
  for want in NAME SYNOPSIS DESCRIPTION FILES --server-cmd --report-dir --json "diff OLD.json NEW.json"; do
    grep -q -- "$want" "$WORK/man.txt" || missing="$missing '$want'"
  done
  [ -z "$missing" ] && ok "the man page renders with NAME, SYNOPSIS and the commands' options" \
    || { bad "the man page lacks$missing"; head -40 "$WORK/man.txt"; cat "$WORK/man.err"; }
elif command -v help2man > /dev/null; then
  bad "no man page installed although help2man is (re-run cmake so that it finds help2man)"
else
  echo "note: no man page: help2man was not installed (make test-deps installs it)"
fi

# make install PREFIX=... installs the same tree.
make -s -C "$SRC" install BUILD="$build" PREFIX="$WORK/make-prefix" > "$WORK/make.out" 2>&1
status=$?
[ $status -eq 0 ] && [ -x "$WORK/make-prefix/bin/echoharness" ] && [ -x "$WORK/make-prefix/libexec/echoharness/echo-server" ] \
  && ok "make install PREFIX=... installs echoharness and its builds" \
  || { bad "make install exited $status"; cat "$WORK/make.out"; }
finish
