/* task.h - one task of a sweep (src/sweep/task.c): an (algorithm,
 * instance, parameters) point, its canonical string, key, cost and memory.
 *
 * A task is one (algorithm, instance, parameters) point.  Its key is
 *   bw_hash_str(canonical string) printed as 16 lowercase hex digits,
 * where the canonical string (bw_task_canonical) lists, in a fixed order,
 * only the parameters the algorithm reads (eta is absent for the flow,
 * sigma only for label_noise_sgd and gaussian_noise_gd, batch only for sgd), with doubles printed
 * as %.17g.  So keys do not depend on the order of axes in the file, on the
 * spec's name, or on which spec produced them: two specs that share a task
 * share its key.
 *
 * The canonical string (version 1), fields separated by one space, in this
 * order, [..] only for the algorithms that read the field:
 *   bw-task/1 algo=<name> design=<name> wstar=<signs|gaussian> d=<d> n=<n>
 *   kappa=<kappa> sweep_seed=<u64> seed=<index> alpha=<%.17g>
 *   [eta=<%.17g|auto> | eta_scale=<%.17g>] [sigma=<%.17g>] [batch=<B>] steps=<max_steps>
 *   time=<%.17g max_time> eps=<%.17g> tol=<%.17g> [project=<0|1>] [noise=<k>] [checkpoints=<N>]
 *   [schedule=<name>] [stop=<rule>]
 * eta: gd, sgd, label_noise_sgd and gaussian_noise_gd ("auto" when the spec
 * leaves it out, bw_run_params.eta 0, the catalog's eta NULL with eta_mode
 * 'automatic'; eta_scale=X in its place when the step is X
 * times the automatic one, so no task that existed before changes its key);
 * sigma and project: label_noise_sgd and gaussian_noise_gd; batch: sgd; noise
 * (the noise realization, noise_seeds): the dynamics that read noise, only
 * when k != 0; checkpoints (per decade): every dynamics, only when it is not
 * the default 10; schedule (the step schedule, dynamics.h): the dynamics that
 * read it (label_noise_sgd), only when it is not "constant" (schedule=sharpness).
 * steps and time are the resolved budgets (0 = unset).
 * stop: the stopping rule, only for a dynamics whose row names one other than
 * its original (dynamics.h, stop_rule): label_noise_sgd "phi3" (its projection
 * Phi(x_k) stationary, or settled within its jitter, at checks whose cost is
 * bounded; "phi2" had the same checks without the settled test; "phi"
 * checked at every checkpoint of the default schedule; before them, it ran
 * its whole budget) and
 * riemannian_flow "stationary" (w stationary and no coordinate growing;
 * before, ||P grad R|| or a hopeless rcond).  Their outcomes changed, so
 * their keys did: a catalog made before keeps its rows under the old keys
 * (never named by the new rule) and a rerun of an old spec adds the new
 * tasks beside them; gd and sgd keep the relative-loss test and their keys.
 * A string without stop= names the original rule; a rule that changes again
 * gets a new name (phi, then phi2, phi3, ...).  Example:
 *   bw-task/1 algo=gd design=rademacher wstar=signs d=20 n=10 kappa=2
 *   sweep_seed=0 seed=1 alpha=3 eta=auto steps=1000 time=0
 *   eps=0.10000000000000001 tol=1e-10
 *
 * Budgets a spec leaves out: each dynamics' default (dynamics.h, its row's
 * budget_steps and budget_time: gd 1e6 steps, sgd 1e7 steps,
 * label_noise_sgd time 1000 (10000 under schedule sharpness: its row's
 * budget_time_scheduled), riemannian_flow time 1e4, gaussian_noise_gd
 * time 5), written into the task,
 * hence the key.  These are generous caps: the stopping rules end the runs
 * (the outcome's status says converged or budget).
 *
 * bw_task_cost, in coordinate-updates (a rough guess for scheduling and plan;
 * each dynamics' row computes its own, src/numerics/rows.h):
 *   gd               2 n d * min(budget steps, S)      S = ln(1/tol) / (eta lo),
 *   sgd              B d   * min(budget steps, S)      lo = (16/n) max(alpha^2,1)
 *                                                           * max((sqrt d - sqrt n)^2, 1)
 *   label_noise_sgd  d * steps to min(time, 5) (time / (eta^2 sigma^2 / 2); schedule
 *                    sharpness: 2 / (eta B_0 sigma)^2 (kappa^2 T + B_0^2 / 80),
 *                    B_0 = max(2 d alpha^2, kappa), T = min(time, 5), sgd.c)
 *                    + the projection, 2 n d * S at gd's automatic step
 *   riemannian_flow  (min(time, 5) / 0.05 + 100) (n^2 d + n^3) + the start
 *                    Phi(x0) like the projection (0.05: a guess of the
 *                    adaptive step; 5: a typical time to the stopping rules near
 *                    the l1 threshold, measured by tests/flow/survey_stop)
 *   gaussian_noise_gd (2 n d + 50 * 2 d) * budget steps (time / (eta^2 sigma^2 / 2))
 *                    + the projection (50: a Gaussian draw against a dgemv's
 *                    multiply-add, measured 20-75 on x86-64)
 * with eta the automatic step where the spec leaves it out.
 * bw_task_bytes: bw_instance_bytes + the outcome (3d doubles, 256 checkpoints)
 * + the dynamics' buffers (its row's bytes; flow: 2 n^2 + n d + 12 (n + d) doubles).
 */
#ifndef BIASWEEP_TASK_H
#define BIASWEEP_TASK_H

#include "biasweep/dynamics.h"
#include "biasweep/instance.h"

#include <stddef.h>
#include <stdint.h>

#define BW_TASK_CANONICAL_MAX 512     /* always enough for bw_task_canonical */

struct bw_task {
	uint64_t key;
	char key_hex[17];
	struct bw_instance_spec inst; /* design, wstar, d, n, kappa, sweep_seed, seed_index */
	struct bw_run_params run;     /* algo, alpha, eta, sigma, batch, budgets, eps, tol, project;
				       * noise_seed = bw_noise_seed(bw_instance_seed(&inst), algo) */
	double cost;                  /* estimated work in coordinate-updates (bw_task_cost) */
};

/* Canonical string and key of a task (fills t->key and t->key_hex).
 * bw_task_canonical returns BW_OK, or BW_EINVAL when len is too small. */
int bw_task_canonical(const struct bw_task *t, char *buf, size_t len);
void bw_task_set_key(struct bw_task *t);
double bw_task_cost(const struct bw_task *t);
/* The checkpoints a run of the task can make, bounded: 200 at the default 10
 * per decade (10 + 10 per decade over 15 decades of steps fit), else
 * N (decades + 1) + 2 with decades = ceil(log10 steps) of its step budget, or
 * 16 where that is in time (the flow's checkpoints are per decade of its time). */
size_t bw_task_checkpoint_slots(const struct bw_task *t);
/* Peak memory of running the task (instance plus dynamics' buffers). */
size_t bw_task_bytes(const struct bw_task *t);

#endif
