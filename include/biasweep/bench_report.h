/* bench_report.h - `biasweep bench`'s JSON report (schema biasweep-bench/1).
 *
 * bw_bench_json writes one object: the machine, the build, every figure as
 * {median, min, max, repeats} with its unit, and the targets (a figure not
 * measured is null; the sections the configuration skipped are absent).
 * bw_bench_write_json writes it to cfg->json, or else to
 * cfg->out/bench-HOST-STAMP.json (creating cfg->out), and leaves the path
 * in path; BW_EIO when it cannot.
 */
#ifndef BIASWEEP_BENCH_REPORT_H
#define BIASWEEP_BENCH_REPORT_H
#include "biasweep/bench.h"
#include "biasweep/json.h"

int bw_bench_json(const struct bw_bench_cfg *c, const struct bw_bench_results *r, const struct bw_bench_summary *s,
		  struct bw_json *j);
int bw_bench_write_json(const struct bw_bench_cfg *c, const struct bw_bench_results *r,
			const struct bw_bench_summary *s, char *path, size_t pathlen);

#endif
