#include "emit.h"
#include "biasweep/error.h"
int bw_figure_wojtowytsch(struct bw_query *q, const struct bw_qfilter *f, size_t nf, const struct bw_figure_args *a,
			  struct bw_figure *o)
{
	(void)q; (void)f; (void)nf; (void)a; (void)o;
	return RAISE(BW_EINVAL, "not yet");
}
