/* series.c - cells grouped into series (everything but d and kappa
 * equal), with what differs between the series of one algorithm;
 * contract in analysis.h. */
#include "biasweep/analysis.h"

#include "biasweep/buf.h"
#include "biasweep/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_real(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

/* BW_SERIES_* of the parameters in which a and b differ (not the algorithm). */
static unsigned differs(const struct bw_qcell *a, const struct bw_qcell *b)
{
	unsigned d = 0;
	d |= strcmp(a->design, b->design) ? BW_SERIES_DESIGN : 0u;
	d |= strcmp(a->wstar, b->wstar) ? BW_SERIES_WSTAR : 0u;
	d |= same_real(a->alpha, b->alpha) ? 0u : BW_SERIES_ALPHA;
	d |= same_real(a->eta, b->eta) && same_real(a->eta_scale, b->eta_scale) ? 0u : BW_SERIES_ETA;
	d |= strcmp(a->schedule, b->schedule) ? BW_SERIES_SCHEDULE : 0u;
	d |= same_real(a->sigma, b->sigma) ? 0u : BW_SERIES_SIGMA;
	d |= a->batch != b->batch ? BW_SERIES_BATCH : 0u;
	d |= same_real(a->eps, b->eps) ? 0u : BW_SERIES_EPS;
	return d;
}

unsigned bw_cells_differ(const struct bw_qcells *cells)
{
	unsigned d = 0;
	for (size_t i = 1; i < cells->n; i++)
		d |= differs(&cells->cell[0], &cells->cell[i]);
	return d;
}

void bw_series_release(struct bw_series_set *s)
{
	if (!s)
		return;
	BW_FREE_ALL(s->s, s->of_cell);
	memset(s, 0, sizeof *s);
}

int bw_series_group(const struct bw_qcells *cells, struct bw_series_set *out)
{
	memset(out, 0, sizeof *out);
	size_t n = cells->n ? cells->n : 1;
	out->s = calloc(n, sizeof *out->s);
	out->of_cell = calloc(n, sizeof *out->of_cell);
	if (!out->s || !out->of_cell) {
		bw_series_release(out);
		return RAISE(BW_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < cells->n; i++) {
		const struct bw_qcell *c = &cells->cell[i];
		size_t k = 0;
		while (k < out->n && (strcmp(out->s[k].key->algorithm, c->algorithm) || differs(out->s[k].key, c)))
			k++;
		if (k == out->n)
			out->s[out->n++].key = c;
		out->of_cell[i] = k;
	}
	for (size_t k = 0; k < out->n; k++)
		for (size_t j = 0; j < out->n; j++) {
			if (strcmp(out->s[k].key->algorithm, out->s[j].key->algorithm))
				continue;
			if (j < k)
				out->s[k].variant++;
			out->s[k].differs |= differs(out->s[k].key, out->s[j].key);
		}
	return BW_OK;
}
