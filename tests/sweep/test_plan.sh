#!/bin/sh
# test_plan.sh - `biasweep plan`: the shipped specs plan (exit 0); a bad spec
# exits 2 with one "biasweep plan: FILE:LINE: ..." line on stderr and nothing
# on stdout; the memory limit and the option parsing refuse with exit 2.
set -u
: "${BIASWEEP:?set by meson test}" "${SOURCE_ROOT:?set by meson test}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# good specs
"$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "plan smoke.cfg exited $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "plan smoke.cfg wrote to stderr: $(cat "$tmp/err")"
grep -q '^tasks *[1-9]' "$tmp/out" || fail "plan smoke.cfg prints no task count: $(cat "$tmp/out")"
grep -q 'riemannian_flow *[1-9]' "$tmp/out" || fail "plan smoke.cfg: no riemannian_flow tasks"
"$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" --json >"$tmp/json" 2>&1 || fail "plan --json failed"
grep -q '^{"spec":.*"tasks":[1-9][0-9]*,.*}$' "$tmp/json" || fail "plan --json: $(cat "$tmp/json")"
n=$(sed 's/.*"tasks":\([0-9]*\),.*/\1/' "$tmp/json")
lines=$("$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" --list | grep -c ' bw-task/1 algo=')
[ "$lines" = "$n" ] || fail "plan --list prints $lines tasks, --json says $n"
for spec in default paper; do
	"$BIASWEEP" plan "$SOURCE_ROOT/jobs/$spec.cfg" --memory-limit 64GiB >"$tmp/out" 2>"$tmp/err" ||
		fail "plan $spec.cfg: $(cat "$tmp/err")"
done

# a bad spec: exit 2, one line on stderr with file:line, nothing on stdout
printf 'd = 20;\nn = 10;\nkappa = 2;\nalgorithms = {\n  riemannian_flow = {\n    eta = 1e-3;\n  };\n};\n' >"$tmp/bad.cfg"
"$BIASWEEP" plan "$tmp/bad.cfg" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "bad spec exited $rc, want 2"
[ -s "$tmp/out" ] && fail "bad spec wrote to stdout: $(cat "$tmp/out")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "bad spec: stderr is not one line: $(cat "$tmp/err")"
grep -q "^biasweep plan: $tmp/bad.cfg:6: riemannian_flow does not read 'eta'" "$tmp/err" ||
	fail "bad spec message: $(cat "$tmp/err")"

# a syntax error carries its line too
printf 'd = 20;\nn = 10;\nkappa = = 2;\n' >"$tmp/syntax.cfg"
"$BIASWEEP" plan "$tmp/syntax.cfg" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "syntax error exited $rc, want 2"
grep -q "^biasweep plan: $tmp/syntax.cfg:3: " "$tmp/err" || fail "syntax error message: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "syntax error wrote to stdout"

# the memory limit refuses a grid whose largest task does not fit
"$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" --memory-limit 1KiB >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "memory limit exited $rc, want 2"
grep -q "more than the memory limit per rank" "$tmp/err" || fail "memory limit message: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "memory limit refusal wrote to stdout"
"$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" --memory-limit lots >/dev/null 2>&1
[ $? -eq 2 ] || fail "--memory-limit lots should exit 2"

# --set overrides: the grid they give (2 d x 1 seed, counted by hand from smoke.cfg's axes), and a bad
# override is refused like a bad file, naming the override
"$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" --json >"$tmp/j0" 2>&1 || fail "plan smoke.cfg --json"
"$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" --json --set seeds=1 >"$tmp/j1" 2>&1 || fail "plan --set seeds=1: $(cat "$tmp/j1")"
t0=$(sed 's/.*"tasks":\([0-9]*\),.*/\1/' "$tmp/j0") t1=$(sed 's/.*"tasks":\([0-9]*\),.*/\1/' "$tmp/j1")
seeds=$(sed -n 's/^seeds *= *\([0-9]*\);.*/\1/p' "$SOURCE_ROOT/jobs/smoke.cfg")
[ -n "$seeds" ] && [ "$t1" -gt 0 ] && [ $((t1 * seeds)) -eq "$t0" ] ||
	fail "--set seeds=1 gives $t1 tasks, want $t0 / $seeds"
"$BIASWEEP" plan "$SOURCE_ROOT/jobs/smoke.cfg" --set 'd=[0]' >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "--set d=[0] exited $rc, want 2"
[ "$(cat "$tmp/err")" = "biasweep plan: --set d=[0]: 'd' must be >= 1" ] || fail "--set d=[0]: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "--set d=[0] wrote to stdout"

# usage errors
"$BIASWEEP" plan >/dev/null 2>&1
[ $? -eq 2 ] || fail "plan without SPEC should exit 2"
"$BIASWEEP" plan "$tmp/missing.cfg" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "plan of a missing file should exit 2"
"$BIASWEEP" plan --help | grep -q 'lin = \[lo, hi\]' || fail "plan --help lacks the spec format"

[ $fails -eq 0 ] && echo "test_plan: all checks passed"
exit $((fails != 0))
