/* query.c - `biasweep query`: filtered rows of the catalog, or groups with
 * success rates and test-error quantiles. */
#include "biasweep/cli.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/output.h"
#include "biasweep/query.h"

#include <stdio.h>
#include <string.h>

#define MAX_COLUMNS 64

static const char summary[] =
	"Filter the finished tasks of the catalog (the view 'results': every parameter and outcome column)\n"
	"and print them, or with --group-by one row per group with\n"
	"  count, successes, success_rate, diverged, mean_test_error, median_test_error, q10_test_error,\n"
	"  q90_test_error\n"
	"(test-error statistics over the tasks with a test error; quantiles interpolate linearly between order\n"
	"statistics, h = (N-1) p, as numpy's default).  Without --group-by the rows are listed, ordered by\n"
	"algorithm, design, wstar, d, kappa, alpha, eta, sigma, batch, eps, n, sweep_seed, seed.";

static const char epilog[] =
	"--where COLUMN OP VALUE, OP one of = != < <= > >= (all --where are ANDed), e.g.\n"
	"  --where algorithm=gd --where d>=64 --where 'eta=null' --where status!=converged\n"
	"  numeric columns take numbers; algorithm, design, wstar, status and eta_mode take their known names\n"
	"  (= and !=);\n"
	"  NULL with = or != tests for NULL (sigma and batch of the dynamics that do not read them, as\n"
	"  run-one --help says: sigma of the noise-free ones, batch but for mini-batch SGD; eta where the spec\n"
	"  gave no step): NULL is 'not set in the spec' or 'not read', a number what the spec asked for, and\n"
	"  what the program chose is in the outcomes (eta_used, steps, t).  eta_mode says how the step was\n"
	"  chosen: given, scaled (eta_scale x automatic) or automatic, NULL for the flow\n"
	"  (--where eta_mode=automatic).\n"
	"Columns are checked against the catalog (--list-columns) and values are bound, never pasted into SQL;\n"
	"the catalog is opened read-only.\n"
	"default columns: " BW_QUERY_DEFAULT_COLUMNS "\n"
	"formats: table (aligned, NULL as -), csv (header, RFC 4180 quoting, NULL empty), json (one array of\n"
	"objects, NULL as null).\n"
	"examples:\n"
	"  biasweep query --group-by algorithm,d,n --where kappa=5\n"
	"  biasweep query --where algorithm=sgd --columns d,n,seed,test_error,loss_rate --format csv\n"
	"exit status: 0 ok (also when nothing matches), 2 bad flags, columns or values, 1 other errors.\n";

int cmd_query(int argc, char **argv)
{
	const char *catalog = "results/catalog.sqlite", *group_by = NULL, *columns = NULL;
	long limit = 0;
	int list_columns = 0, fmt = BW_FMT_TABLE;
	struct bw_opt_list where = {0};
	enum { ROWS = 1 << 0, LIMIT = 1 << 1 }; /* exclusive groups: --group-by against --columns, --limit */
	struct bw_option opts[] = {
		BW_OPT("catalog", BW_OPT_STRING, &catalog, "FILE", "the catalog (default results/catalog.sqlite)"),
		BW_OPT("where", BW_OPT_LIST, &where, "COND", "COLUMN OP VALUE filter, repeatable (below)"),
		BW_OPT("group-by", BW_OPT_STRING, &group_by, "COLS", "comma-separated columns: aggregate per group", .excl = ROWS | LIMIT),
		BW_OPT("columns", BW_OPT_STRING, &columns, "COLS", "comma-separated columns to list (without --group-by)", .excl = ROWS),
		BW_OPT("limit", BW_OPT_LONG, &limit, "N", "list at most N rows (without --group-by)", .excl = LIMIT),
		BW_OPT_FORMAT(&fmt),
		BW_OPT("list-columns", BW_OPT_FLAG, &list_columns, NULL, "every column of every table and view: its type, unit and meaning"),
		{0},
	};
	struct bw_cli_cmd cmd = {.name = "query", .summary = summary, .epilog = epilog, .opts = opts,
				 .excl_msg = {"--columns lists rows; with --group-by the columns are the groups and statistics",
					      "--limit applies to listed rows, not to --group-by"}};
	int npos, rc = BW_OK;
	CHECK(bw_cli_parse(&cmd, argc, argv, &npos));
	if (bw_opt_given(opts, &limit) && limit < 1)
		return RAISE(BW_EINVAL, "--limit must be >= 1");

	struct bw_query *q;
	CHECK(bw_query_open(catalog, &q));
	struct bw_qfilter f[sizeof where.items / sizeof where.items[0]];
	size_t cols[MAX_COLUMNS], ncols = 0;
	struct bw_table t = {0};
	if (list_columns) {
		rc = bw_query_list_columns(q, &t);
		bw_query_close(q);
		CHECK(rc);
		rc = bw_table_print(stdout, &t, (enum bw_format)fmt);
		bw_table_release(&t);
		return fflush(stdout) ? RAISE(BW_EIO, "writing the output failed") : BW_OK;
	}
	for (int i = 0; i < where.len && rc == BW_OK; i++)
		if ((rc = bw_query_parse_filter(q, where.items[i], &f[i])) != BW_OK)
			bw_error_context(rc, "--where");
	if (rc == BW_OK && group_by && (rc = bw_query_resolve_columns(q, group_by, cols, MAX_COLUMNS, &ncols)) != BW_OK)
		bw_error_context(rc, "--group-by");
	if (rc == BW_OK && !group_by &&
	    (rc = bw_query_resolve_columns(q, columns ? columns : BW_QUERY_DEFAULT_COLUMNS, cols, MAX_COLUMNS,
					   &ncols)) != BW_OK)
		bw_error_context(rc, "--columns");
	if (rc == BW_OK)
		rc = group_by ? bw_query_groups(q, f, (size_t)where.len, cols, ncols, &t)
			      : bw_query_rows(q, f, (size_t)where.len, cols, ncols, limit, &t);
	bw_query_close(q);
	if (rc == BW_OK)
		rc = bw_table_print(stdout, &t, (enum bw_format)fmt);
	bw_table_release(&t);
	return rc;
}
