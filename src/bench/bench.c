/* bench.c - `biasweep bench`'s run: the configuration checked, the machine
 * recorded, the sections in order, the targets derived (bench.h). */
#include "biasweep/bench.h"
#include "biasweep/bench_mpi.h"
#include "biasweep/bench_peers.h"
#include "biasweep/bench_runs.h"
#include "biasweep/clock.h"
#include "biasweep/error.h"
#include "biasweep/proc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

const size_t bw_bench_dims[BW_BENCH_ND] = {100, 1000, 10000};
const int bw_bench_coord_ranks[BW_BENCH_NCOORD] = {1, 2, 4};

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct bw_stat3 bw_stat3_of(const double *x, int n)
{
	struct bw_stat3 s = {NAN, NAN, NAN, n};
	if (n <= 0 || n > BW_BENCH_MAXREP)
		return s;
	double t[BW_BENCH_MAXREP];
	memcpy(t, x, (size_t)n * sizeof(double));
	qsort(t, (size_t)n, sizeof(double), cmp_dbl);
	s.med = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
	s.lo = t[0];
	s.hi = t[n - 1];
	return s;
}

int bw_bench_rep_count(const struct bw_bench_cfg *c)
{
	return c->repeats < 1 ? 1 : c->repeats > BW_BENCH_MAXREP ? BW_BENCH_MAXREP : (int)c->repeats;
}

void bw_bench_note(const struct bw_bench_cfg *c, const char *fmt, ...)
{
	if (!c->progress)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	c->progress(c->progress_ctx, line);
}

double bw_bench_ratio(double a, double b) { return isfinite(a) && isfinite(b) && b > 0 ? a / b : NAN; }

double bw_loadavg(void)
{
	double l = NAN;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = NAN;
		fclose(f);
	}
	return l;
}

int bw_bench_prepare(struct bw_bench_cfg *c)
{
	c->tmp[0] = 0;
	if (c->repeats < 1 || c->repeats > BW_BENCH_MAXREP)
		return RAISE(BW_EINVAL, "--repeats must be between 1 and %d", BW_BENCH_MAXREP);
	if (c->tasks < 100)
		return RAISE(BW_EINVAL, "--tasks must be >= 100");
	if (c->sweep_only)
		c->sweep = 1;
	if (c->sweep_only && c->no_mpi)
		return RAISE(BW_EINVAL, "--sweep-only needs MPI (drop --no-mpi)");
	ssize_t sl = readlink("/proc/self/exe", c->self, sizeof c->self - 1);
	if (sl <= 0)
		return RAISE(BW_EIO, "cannot find this executable (/proc/self/exe)");
	c->self[sl] = 0;
	snprintf(c->tmp, sizeof c->tmp, "/tmp/biasweep-bench-XXXXXX");
	if (!mkdtemp(c->tmp)) {
		c->tmp[0] = 0;
		return RAISE(BW_EIO, "cannot create a temporary directory: %s", strerror(errno));
	}
	return BW_OK;
}

void bw_bench_release(struct bw_bench_cfg *c)
{
	if (c->tmp[0])
		bw_proc_rm_tree(c->tmp);
	c->tmp[0] = 0;
}

static void cpu_model(char *buf, size_t len)
{
	snprintf(buf, len, "unknown");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');
			if (p) {
				p++;
				while (*p == ' ')
					p++;
				p[strcspn(p, "\n")] = 0;
				snprintf(buf, len, "%s", p);
			}
			break;
		}
	fclose(f);
}

void bw_bench_results_init(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	(void)c;
	memset(r, 0, sizeof *r);
	for (int k = 0; k < BW_BENCH_NSCHED; k++) {
		struct bw_bench_sched *q = &r->sched[k];
		q->sharp_wall = q->sharp_t = q->sharp_steps = q->const_wall = q->const_t = q->const_steps = NAN;
		q->const_ns_step = q->flow_t = q->speedup = q->peer_s = NAN;
		q->peer.ns = q->peer.lo = q->peer.hi = NAN;
		snprintf(q->peer.err, sizeof q->peer.err, "skipped (--no-peers)");
	}
	for (int di = 0; di < BW_BENCH_ND; di++) { /* "not measured" until a peer says otherwise */
		struct bw_bench_peer *pr[4] = {&r->p_loop[di], &r->p_batch[di], &r->p_gd_loop[di], &r->p_gd_batch[di]};
		for (int k = 0; k < 4; k++) {
			pr[k]->ns = pr[k]->lo = pr[k]->hi = NAN;
			snprintf(pr[k]->err, sizeof pr[k]->err, "skipped (--no-peers)");
		}
	}
	struct bw_bench_machine *m = &r->m;
	snprintf(m->host, sizeof m->host, "unknown");
	gethostname(m->host, sizeof m->host);
	m->host[sizeof m->host - 1] = 0;
	cpu_model(m->cpu, sizeof m->cpu);
	time_t tnow = time(NULL);
	struct tm tmv;
	gmtime_r(&tnow, &tmv);
	strftime(m->date, sizeof m->date, "%Y-%m-%dT%H:%M:%SZ", &tmv);
	strftime(m->stamp, sizeof m->stamp, "%Y%m%d-%H%M%S", &tmv);
	m->load_before = bw_loadavg();
	r->t0 = bw_now_s();
	m->cores = sysconf(_SC_NPROCESSORS_ONLN);
}

static void bench_peak(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	int R = bw_bench_rep_count(c);
	for (int k = 0; k < BW_PEAK_COUNT; k++) {
		r->peak[k] = bw_stat3_of(NULL, 0);
		if (c->sweep_only || !bw_peak_supported((enum bw_peak_kind)k))
			continue;
		long it = c->quick ? 2000000 : 10000000;
		double x[BW_BENCH_MAXREP];
		bw_peak_gflops((enum bw_peak_kind)k, it / 10);
		for (int i = 0; i < R; i++)
			x[i] = bw_peak_gflops((enum bw_peak_kind)k, k >= BW_PEAK_AVX512_MULADD ? it / 2 : it);
		r->peak[k] = bw_stat3_of(x, R);
	}
}

void bw_bench_run(const struct bw_bench_cfg *c, struct bw_bench_results *r)
{
	bench_peak(c, r);
	if (!c->sweep_only) {
		bw_bench_note(c, "  peaks done");
		bw_bench_sgd(c, r);
		bw_bench_gd(c, r);
		bw_bench_flow(c, r);
		bw_bench_schedule(c, r);
		if (!c->no_peers) {
			bw_bench_peers(c, r);
			bw_bench_peers_schedule(c, r);
		}
	}
	if (!c->no_mpi) {
		if (!c->sweep_only)
			bw_bench_coord(c, r);
		if (c->sweep)
			bw_bench_sweep(c, r);
	}
	r->elapsed_s = bw_now_s() - r->t0;
	r->load_after = bw_loadavg();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	r->self_rss_kb = ru.ru_maxrss;
}

void bw_bench_summarize(const struct bw_bench_cfg *c, const struct bw_bench_results *r, struct bw_bench_summary *s)
{
	memset(s, 0, sizeof *s);
	s->peak = NAN;
	s->peak_name = "none";
	for (int k = 0; k < BW_PEAK_COUNT; k++)
		if (isfinite(r->peak[k].med) && !(r->peak[k].med <= s->peak)) {
			s->peak = r->peak[k].med;
			s->peak_name = bw_peak_names[k];
		}
	s->peak_noFMA = isfinite(r->peak[BW_PEAK_AVX512_MULADD].med) ? r->peak[BW_PEAK_AVX512_MULADD].med
								     : r->peak[BW_PEAK_SSE2_MULADD].med;
	s->nv = bw_bench_kernel_variants(s->v, &s->active);
	s->act_f64 = s->v[s->active].reads_f64;

	int i1000 = 1;
	s->r_loop = bw_bench_ratio(r->p_loop[i1000].ns, r->lnsgd[i1000].med);
	s->r_batch = bw_bench_ratio(r->p_batch[i1000].ns, r->lnsgd[i1000].med);
	s->kg = BW_BENCH_SGD_FLOPS / r->kern[i1000][s->active][s->act_f64].med;
	s->gd_worst = NAN;
	for (int di = 0; di < BW_BENCH_ND; di++) {
		double q = bw_bench_ratio(r->gd[di].med, r->gemv[di].med);
		if (isfinite(q) && !(q <= s->gd_worst))
			s->gd_worst = q;
	}
	s->coord_min = NAN;
	for (int k = 1; k < BW_BENCH_NCOORD; k++)
		if (r->coord_ok[k] && !(r->coord[k].med >= s->coord_min))
			s->coord_min = r->coord[k].med;
	s->sched_256 = r->sched[0].speedup;
	s->sched_1024 = r->sched[BW_BENCH_NSCHED - 1].speedup;
	s->eff = NAN;
	if (c->sweep && r->sweep_ok[0] && r->sweep_ok[1])
		s->eff = r->sweep_elapsed[0] / (2.0 * r->sweep_elapsed[1]);
}
