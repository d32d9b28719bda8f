#!/usr/bin/env bash
# run.sh - build the libFuzzer harnesses (build.sh) and run each for a bounded
# time from its seed corpus:
#   tests/fuzz/run.sh [SECONDS]        (default 30 per fuzzer; env FUZZ_SECONDS)
# Seeds: tests/fuzz/corpus/NAME (+ jobs/*.cfg and tests/mpi/search.cfg for
# fuzz_spec); new inputs go to a scratch corpus in build-fuzz/corpus/NAME
# (emptied at each start, never committed; run a fuzzer by hand on it for a
# longer session).  A crash, leak, timeout or
# out-of-memory leaves its input in build-fuzz/artifacts/ and fails the run:
# minimize it (build-fuzz/fuzz_NAME -minimize_crash=1 FILE), fix the bug, and
# add the input to tests/fuzz/regressions/NAME/, which the meson tests
# fuzz_replay_NAME replay on every test run.
# Writes build-fuzz/testlog.json (one line per fuzzer, meson's format:
# name, result OK/FAIL/SKIP, duration, plus execs) for tests/run-all.
# Exit status: 0 all clean, 1 a finding or a build failure, 77 no clang.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build-fuzz
secs=${1:-${FUZZ_SECONDS:-30}}
log=$out/testlog.json
mkdir -p "$out"
: > "$log"
record() { # name result duration execs
	printf '{"name": "fuzz / %s", "result": "%s", "duration": %s, "execs": %s}\n' "$1" "$2" "$3" "$4" >> "$log"
}
if ! command -v clang >/dev/null; then
	echo "run.sh: clang not found: fuzzers not built (apt-get install clang libclang-rt-14-dev)"
	record fuzz_spec SKIP 0 0
	record fuzz_opts SKIP 0 0
	exit 77
fi
if ! "$root/tests/fuzz/build.sh" "$out" > "$out/build.log" 2>&1; then
	cat "$out/build.log"
	echo "run.sh: building the fuzzers failed"
	record build FAIL 0 0
	exit 1
fi
export ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=64:detect_stack_use_after_return=0
export LSAN_OPTIONS=suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for name in spec opts; do
	corpus=$out/corpus/$name
	seeds=$out/seeds/$name
	rm -rf "$seeds" "$corpus" # a fresh corpus each run: the same work (and time) from the same seeds
	mkdir -p "$corpus" "$seeds" "$out/artifacts"
	cp "$root"/tests/fuzz/corpus/$name/* "$seeds"/
	if [ $name = spec ]; then
		for f in "$root"/jobs/*.cfg; do cp "$f" "$seeds/jobs-$(basename "$f")"; done
		cp "$root/tests/mpi/search.cfg" "$seeds/mpi-search.cfg"
		rm -f "$seeds/jobs-paper.cfg" # 2 s per run under ASan (a million-task grid): replayed by meson instead
	fi
	t0=$(date +%s.%N)
	"$out/fuzz_$name" -max_total_time="$secs" -timeout=60 -rss_limit_mb=3072 -print_final_stats=1 \
		-dict="$root/tests/fuzz/$name.dict" -artifact_prefix="$out/artifacts/$name-" \
		"$corpus" "$seeds" > "$out/fuzz_$name.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz_$name.log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/fuzz_$name.log" | tail -n 1)
	dur=$(python3 -c "print(round($t1 - $t0, 1))")
	if [ $rc -eq 0 ]; then
		echo "fuzz_$name: ${execs:-?} executions in ${dur} s (${rate:-?}/s), corpus $(ls "$corpus" | wc -l) inputs, no findings"
		record "fuzz_$name" OK "$dur" "${execs:-0}"
	else
		echo "fuzz_$name: FINDING (exit $rc) after ${execs:-?} executions; log $out/fuzz_$name.log:"
		grep -E "ERROR|runtime error|invariant|SUMMARY|Test unit written" "$out/fuzz_$name.log" | head -n 12
		record "fuzz_$name" FAIL "$dur" "${execs:-0}"
		status=1
	fi
done
exit $status
