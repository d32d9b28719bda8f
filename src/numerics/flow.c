/* flow.c - placeholder until the Riemannian flow lands. */
#include "biasweep/dynamics.h"
#include "biasweep/error.h"

int bw_flow_run(const struct bw_instance *inst, const struct bw_run_params *p, struct bw_outcome *out)
{
	(void)inst;
	(void)p;
	(void)out;
	return RAISE(BW_EINTERNAL, "riemannian_flow is not implemented yet");
}
