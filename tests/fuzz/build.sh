#!/usr/bin/env bash
# build.sh - build the libFuzzer harnesses with clang (the main build is gcc):
#   tests/fuzz/build.sh [OUTDIR]        (default build-fuzz)
# gives OUTDIR/fuzz_spec and OUTDIR/fuzz_opts, linked with
# -fsanitize=fuzzer,address,undefined against the sources they exercise
# (src/util, src/numerics, src/sweep and src/cli/opts.c, compiled here with
# -fsanitize=fuzzer-no-link,address,undefined).  Needs clang and libFuzzer
# (Debian 12: packages clang and libclang-rt-14-dev).  Incremental: an object
# is rebuilt only when its source or a header is newer.  tests/fuzz/run.sh
# builds and runs them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/build-fuzz}
case $out in /*) ;; *) out=$PWD/$out ;; esac
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "build.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 77; }
mkdir -p "$out/obj"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# float-cast-overflow is in clang's 'undefined' group: casts of huge doubles to integers trap.
cflags="-std=c17 -g -O1 -D_GNU_SOURCE -fopenmp-simd -Wno-pass-failed $san -I$root/include -I$root/src/numerics $(pkg-config --cflags gsl libconfig openblas)"
libs="$(pkg-config --libs-only-L openblas) -lgsl -lopenblas $(pkg-config --libs libconfig) -lm"
srcs=("$root"/src/util/*.c "$root"/src/numerics/*.c "$root"/src/sweep/*.c "$root"/src/cli/opts.c)
newest_header=$(find "$root/include" "$root/src" -name '*.h' -newer "$out/obj" 2>/dev/null | head -n 1 || true)
objs=()
for s in "${srcs[@]}"; do
	o=$out/obj/$(basename "$(dirname "$s")")_$(basename "${s%.c}").o
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$newest_header" ]; then
		$CC $cflags -fsanitize=fuzzer-no-link -c "$s" -o "$o"
	fi
	objs+=("$o")
done
for h in spec opts; do
	$CC $cflags -fsanitize=fuzzer "$root/tests/fuzz/fuzz_$h.c" "${objs[@]}" $libs -o "$out/fuzz_$h"
done
touch "$out/obj"
echo "build.sh: $out/fuzz_spec $out/fuzz_opts"
