/* result.h - the fixed-size record of one finished task: what travels from a
 * worker to the coordinator (MPI) and into the catalog (SQL).  Plain data,
 * no pointers, so it can be sent as bytes between identical binaries. */
#ifndef BIASWEEP_RESULT_H
#define BIASWEEP_RESULT_H

#include "biasweep/dynamics.h"

#include <stdint.h>

struct bw_result {
	uint64_t key;
	int32_t status;            /* enum bw_run_status */
	int32_t support_recovered, success;
	int32_t rank;              /* worker rank that ran it */
	int64_t steps;
	int64_t traj_row;          /* row in traj_file, -1 when none */
	double train_loss, test_error, R, l1, t, wall_s, eta_used;
	double loss_rate, alpha_inf, alpha_inf_pred, int_loss_dt;
	char message[160];
	char traj_file[256];       /* path relative to the catalog's directory */
};

void bw_result_from_outcome(struct bw_result *r, uint64_t key, const struct bw_outcome *o);

#endif
