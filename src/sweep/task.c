/* task.c - one task: its canonical string and key, and its cost and memory
 * from its dynamics' row (dynamics.h: the cost and memory models live with
 * each dynamics); the contract is task.h. */
#include "biasweep/task.h"

#include "biasweep/error.h"
#include "biasweep/hash.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

int bw_task_canonical(const struct bw_task *t, char *buf, size_t len)
{
	const struct bw_run_params *r = &t->run;
	unsigned reads = bw_dynamics_table[r->algo]->uses;
	const char *rule = bw_dynamics_table[r->algo]->stop_rule;
	char eta[40] = "", sigma[40] = "", batch[32] = "", project[16] = "", stop[48] = "", extra[96] = "";
	if (reads & BW_USES_ETA) {
		if (r->eta > 0)
			snprintf(eta, sizeof eta, " eta=%.17g", r->eta);
		else if (r->eta_scale > 0)
			snprintf(eta, sizeof eta, " eta_scale=%.17g", r->eta_scale);
		else
			snprintf(eta, sizeof eta, " eta=auto");
	}
	if (reads & BW_USES_SIGMA)
		snprintf(sigma, sizeof sigma, " sigma=%.17g", r->sigma);
	if (reads & BW_USES_BATCH)
		snprintf(batch, sizeof batch, " batch=%ld", r->batch);
	if (reads & BW_USES_PROJECT)
		snprintf(project, sizeof project, " project=%d", r->project ? 1 : 0);
	if (rule)
		snprintf(stop, sizeof stop, " stop=%s", rule);
	size_t off = 0;
	if ((reads & BW_USES_NOISE) && r->noise_index)
		off = (size_t)snprintf(extra, sizeof extra, " noise=%" PRIu32, r->noise_index);
	if (r->checkpoints > 0 && r->checkpoints != BW_CHECKPOINTS_DEFAULT)
		off += (size_t)snprintf(extra + off, sizeof extra - off, " checkpoints=%d", r->checkpoints);
	if (bw_run_schedule(r) != BW_SCHEDULE_CONSTANT)
		snprintf(extra + off, sizeof extra - off, " schedule=%s", bw_schedule_name(bw_run_schedule(r)));
	int n = snprintf(buf, len,
			 "bw-task/1 algo=%s design=%s wstar=%s d=%zu n=%zu kappa=%zu sweep_seed=%" PRIu64
			 " seed=%" PRIu32 " alpha=%.17g%s%s%s steps=%ld time=%.17g eps=%.17g tol=%.17g%s%s%s",
			 bw_algo_name(r->algo), bw_design_name(t->inst.design), bw_wstar_name(t->inst.wstar), t->inst.d,
			 t->inst.n, t->inst.kappa, t->inst.sweep_seed, t->inst.seed_index, r->alpha, eta, sigma, batch,
			 r->max_steps, r->max_time, r->eps, r->tol, project, extra, stop);
	if (n < 0 || (size_t)n >= len)
		return RAISE(BW_EINVAL, "canonical string of a task needs %d bytes, buffer has %zu", n, len);
	return BW_OK;
}

void bw_task_set_key(struct bw_task *t)
{
	char buf[BW_TASK_CANONICAL_MAX];
	bw_task_canonical(t, buf, sizeof buf); /* always fits: at most ~420 bytes */
	t->key = bw_hash_str(buf);
	snprintf(t->key_hex, sizeof t->key_hex, "%016" PRIx64, t->key);
}

double bw_task_cost(const struct bw_task *t) { return bw_dynamics_table[t->run.algo]->cost(&t->run, &t->inst); }

size_t bw_task_checkpoint_slots(const struct bw_task *t)
{
	int N = t->run.checkpoints;
	if (N <= 0 || N == BW_CHECKPOINTS_DEFAULT)
		return 200;
	double decades = t->run.max_steps > 0 ? ceil(log10((double)t->run.max_steps)) : 16;
	return (size_t)N * (size_t)(decades + 1) + 2;
}

size_t bw_task_bytes(const struct bw_task *t)
{
	size_t n = t->inst.n, d = t->inst.d;
	size_t slots = bw_task_checkpoint_slots(t);
	size_t traj = (slots > 256 ? slots : 256) * sizeof(struct bw_checkpoint); /* ~10 checkpoints per decade */
	size_t b = bw_instance_bytes(t->inst.design, n, d) + traj + 3 * d * sizeof(double); /* outcome u, v, w */
	return b + bw_dynamics_table[t->run.algo]->bytes(&t->run, &t->inst);
}
