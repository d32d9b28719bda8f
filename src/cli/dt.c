/* dt.c - `biasweep dt`: the Donoho-Tanner 50% curve n50 = d psi(kappa/d). */
#include "biasweep/cli.h"
#include "biasweep/dt.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/query.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 256

static const char summary[] =
	"Print the l1 (basis pursuit) phase transition of Donoho and Tanner at success probability 1/2 for\n"
	"Gaussian designs and signed w*:\n"
	"  n50(d, kappa) = d psi(kappa/d),\n"
	"  psi(tau) = min_{t>=0} tau (1+t^2) + (1-tau) [(1+t^2) erfc(t/sqrt 2) - t sqrt(2/pi) e^{-t^2/2}]\n"
	"(Amelunxen-Lotz-McCoy-Tropp 2014; the statistical dimension of the l1 descent cone).  One row per\n"
	"(d, kappa) pair of the lists given: d, kappa, tau = kappa/d, psi, t_min (the minimizer), n50.";

static const char epilog[] =
	"The minimum is found by golden-section search on [0, (1-tau) sqrt(2/pi)/tau], which contains the\n"
	"minimizer because the objective is strictly convex with a negative slope at 0 and a positive one\n"
	"beyond that bound (include/biasweep/dt.h); two Newton steps on the slope then fix t_min to rounding.\n"
	"Reference values: (100, 5) 20.4, (100, 10) 32.9,\n"
	"(200, 10) 40.8, (1000, 5) 35.4, (1000, 10) 61.2, (1000, 20) 104.2.  Rademacher designs show the same\n"
	"transition up to finite-size effects.\n"
	"example: biasweep dt --d 100,1000 --kappa 5,10,20\n"
	"exit status: 0 ok, 2 bad flags (kappa must be between 0 and d).\n";

static int parse_list(const char *flag, const char *s, double *out, size_t *n)
{
	char buf[64];
	*n = 0;
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		double x;
		if (len >= sizeof buf || *n == MAX_VALUES)
			return RAISE(BW_EINVAL, "--%s: too long a list", flag);
		memcpy(buf, p, len);
		buf[len] = 0;
		if (bw_parse_double(buf, &x) != BW_OK) {
			for (char *c = buf; *c; c++)
				if (iscntrl((unsigned char)*c))
					*c = '?';
			return RAISE(BW_EINVAL, "--%s: '%s' is not a number", flag, buf);
		}
		out[(*n)++] = x;
		if (!comma)
			break;
		p = comma + 1;
	}
	return BW_OK;
}

int cmd_dt(int argc, char **argv)
{
	const char *dlist = NULL, *klist = NULL;
	int fmt = BW_FMT_TABLE;
	struct bw_option opts[] = {
		BW_OPT("d", BW_OPT_STRING, &dlist, "D[,D...]", "dimension(s), >= 1 (required)", .flags = BW_OPT_REQUIRED),
		BW_OPT("kappa", BW_OPT_STRING, &klist, "K[,K...]", "sparsity(ies), 0 <= K <= D (required)", .flags = BW_OPT_REQUIRED),
		BW_OPT_FORMAT(&fmt),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "dt", .summary = summary, .epilog = epilog, .opts = opts};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	double d[MAX_VALUES], k[MAX_VALUES];
	size_t nd, nk;
	CHECK(parse_list("d", dlist, d, &nd));
	CHECK(parse_list("kappa", klist, k, &nk));
	for (size_t i = 0; i < nd; i++)
		for (size_t j = 0; j < nk; j++) {
			double n50;
			CHECK(bw_dt_n50(d[i], k[j], &n50));
		}

	static const char *const names[] = {"d", "kappa", "tau", "psi", "t_min", "n50"};
	struct bw_table t;
	CHECK(bw_table_init(&t, 6, names));
	for (size_t i = 0; i < nd && rc == BW_OK; i++)
		for (size_t j = 0; j < nk && rc == BW_OK; j++) {
			size_t row;
			double tmin, tau = k[j] / d[i], psi = bw_dt_psi(tau, &tmin);
			if ((rc = bw_table_add_row(&t, &row)) != BW_OK)
				break;
			bw_table_set_real(&t, row, 0, d[i]);
			bw_table_set_real(&t, row, 1, k[j]);
			bw_table_set_real(&t, row, 2, tau);
			bw_table_set_real(&t, row, 3, psi);
			bw_table_set_real(&t, row, 4, tmin);
			bw_table_set_real(&t, row, 5, d[i] * psi);
		}
	if (rc == BW_OK)
		rc = bw_table_print(stdout, &t, (enum bw_format)fmt);
	bw_table_release(&t);
	return rc;
}
