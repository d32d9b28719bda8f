/* result.c - flatten an outcome into the fixed-size record that travels. */
#include "biasweep/result.h"

#include <string.h>

void bw_result_from_outcome(struct bw_result *r, uint64_t key, const struct bw_outcome *o)
{
	memset(r, 0, sizeof *r);
	r->key = key;
	r->status = (int32_t)o->status;
	r->support_recovered = o->support_recovered;
	r->success = o->success;
	r->steps = o->steps;
	r->traj_row = -1;
	r->train_loss = o->train_loss;
	r->test_error = o->test_error;
	r->R = o->R;
	r->l1 = o->l1;
	r->t = o->t;
	r->wall_s = o->wall_s;
	r->eta_used = o->eta_used;
	r->loss_rate = o->loss_rate;
	r->alpha_inf = o->alpha_inf;
	r->alpha_inf_pred = o->alpha_inf_pred;
	r->int_loss_dt = o->int_loss_dt;
	memcpy(r->message, o->message, sizeof r->message < sizeof o->message ? sizeof r->message : sizeof o->message);
	r->message[sizeof r->message - 1] = 0;
}
