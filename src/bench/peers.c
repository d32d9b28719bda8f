/* peers.c - the NumPy peers run and read (bench_peers.h). */
#include "biasweep/bench_peers.h"
#include "biasweep/proc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the number after "key": in a JSON line */
static double json_get(const char *s, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(s, pat);
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

/* the smallest and largest of the "samples": [...] array */
static void json_minmax(const char *s, double *lo, double *hi)
{
	*lo = *hi = NAN;
	const char *p = strstr(s, "\"samples\":");
	if (!p || !(p = strchr(p, '[')))
		return;
	for (p++; *p && *p != ']';) {
		char *end;
		double x = strtod(p, &end);
		if (end == p)
			break;
		if (!(x >= *lo))
			*lo = x;
		if (!(x <= *hi))
			*hi = x;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
}

static void run_peer(const struct bw_bench_cfg *c, const char *script, const char *variant, size_t d, size_t n,
		     long steps, long runs, struct bw_bench_peer *res)
{
	char path[4200], sd[32], sn[32], ss[32], sr[32], sp[32];
	snprintf(path, sizeof path, "%s/%s", c->peers, script);
	snprintf(sd, sizeof sd, "%zu", d);
	snprintf(sn, sizeof sn, "%zu", n);
	snprintf(ss, sizeof ss, "%ld", steps);
	snprintf(sr, sizeof sr, "%ld", runs);
	snprintf(sp, sizeof sp, "%d", bw_bench_rep_count(c));
	char *argv[] = {(char *)c->python, path, "--variant", (char *)variant, "--d", sd, "--n", sn,
			"--steps", ss, "--runs", sr, "--repeats", sp, NULL};
	const char *extra[] = {"OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1", NULL};
	char out[65536];
	memset(res, 0, sizeof *res);
	res->ns = res->lo = res->hi = NAN;
	res->steps = steps;
	res->runs = runs;
	int rc = bw_proc_spawn(argv, extra, out, sizeof out, NULL);
	if (rc != 0) {
		snprintf(res->err, sizeof res->err, "%.40s %.80s exited with %d", c->python, path, rc);
		return;
	}
	res->ns = json_get(out, "ns_per_unit");
	json_minmax(out, &res->lo, &res->hi);
	res->ok = isfinite(res->ns);
	if (!res->ok)
		snprintf(res->err, sizeof res->err, "no ns_per_unit in the output of %.100s", path);
}

void bw_bench_peers_schedule(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/lnsgd.py", c->peers);
	if (access(probe, R_OK) != 0 || access(c->python, X_OK) != 0)
		return; /* bw_bench_peers said why */
	for (int k = 0; k < BW_BENCH_NSCHED; k++) {
		struct bw_bench_sched *q = &r->sched[k];
		size_t d = bw_bench_sched_dims[k];
		run_peer(c, "lnsgd.py", "loop", d, bw_bench_sched_n[k], (long)((c->quick ? 0.25 : 1.0) * 10000), 1, &q->peer);
		q->peer_s = q->peer.ns * (double)d * q->const_steps * 1e-9;
		bw_bench_note(c, "  schedule peer d=%zu done", d);
	}
}

void bw_bench_peers(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	char probe[4200];
	snprintf(probe, sizeof probe, "%s/lnsgd.py", c->peers);
	if (access(probe, R_OK) != 0 || access(c->python, X_OK) != 0) {
		for (int di = 0; di < BW_BENCH_ND; di++) {
			snprintf(r->p_loop[di].err, sizeof r->p_loop[di].err, "no %.60s or no %.40s (see --peers, --python)",
				 probe, c->python);
			r->p_loop[di].ns = r->p_batch[di].ns = r->p_gd_loop[di].ns = r->p_gd_batch[di].ns = NAN;
		}
		bw_bench_note(c, "  peers skipped: no %s or no %s (see --peers, --python)", probe, c->python);
		return;
	}
	double q = c->quick ? 0.25 : 1.0;
	for (int di = 0; di < BW_BENCH_ND; di++) {
		size_t d = bw_bench_dims[di];
		/* steps for ~0.2 s per repeat at the measured pace of each peer shape */
		long loop_steps = (long)(q * (d <= 100 ? 20000 : d <= 1000 ? 10000 : 2000));
		long batch_steps = (long)(q * (d <= 100 ? 2000 : d <= 1000 ? 300 : 30));
		run_peer(c, "lnsgd.py", "loop", d, r->sgd_n[di], loop_steps, 1, &r->p_loop[di]);
		run_peer(c, "lnsgd.py", "batched", d, r->sgd_n[di], batch_steps, 64, &r->p_batch[di]);
		long gd_steps = (long)(q * (d <= 100 ? 5000 : d <= 1000 ? 1000 : 20));
		long gdb_steps = (long)(q * (d <= 100 ? 500 : d <= 1000 ? 100 : 4));
		run_peer(c, "gd.py", "loop", d, r->gd_n[di], gd_steps < 2 ? 2 : gd_steps, 1, &r->p_gd_loop[di]);
		run_peer(c, "gd.py", "batched", d, r->gd_n[di], gdb_steps < 2 ? 2 : gdb_steps, 64, &r->p_gd_batch[di]);
		bw_bench_note(c, "  peers d=%zu done", d);
	}
}
