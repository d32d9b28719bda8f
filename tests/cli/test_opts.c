/* test_opts.c - the option parser of every command (bw_cli_parse, opts.h)
 * on a table of its own: short names, --opt=value and --opt value, --, the
 * positional count, required options, exclusive groups (custom and generated
 * messages), a repeatable option against one given twice, choices, unknown
 * options with and without a suggestion, --help, and the generated synopsis
 * and help against hand-written text.  The oracle is the contract of opts.h
 * written out by hand: expected values and exact messages. */
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { ROWS = 1 << 0, LIMIT = 1 << 1 };
static const char *const formats[] = {"table", "csv", "json", NULL};

/* the targets of one parse */
struct got {
	const char *catalog, *group_by, *columns, *output;
	long limit, d;
	double eta;
	int fmt, quiet;
	struct bw_opt_list where;
	int rc, npos;
	char *argv[32];
	char msg[512];
};

static struct bw_option table[16];

static void make_table(struct got *g)
{
	struct bw_option t[] = {
		BW_OPT("catalog", BW_OPT_STRING, &g->catalog, "FILE", "the catalog"),
		BW_OPT("where", BW_OPT_LIST, &g->where, "COND", "a filter, repeatable"),
		BW_OPT("group-by", BW_OPT_STRING, &g->group_by, "COLS", "aggregate per group", .excl = ROWS | LIMIT),
		BW_OPT("columns", BW_OPT_STRING, &g->columns, "COLS", "columns to list", .excl = ROWS),
		BW_OPT("limit", BW_OPT_LONG, &g->limit, "N", "at most N rows", .excl = LIMIT),
		BW_OPT("format", BW_OPT_CHOICE, &g->fmt, "F", "table | csv | json", .choices = formats),
		BW_OPT("output", BW_OPT_STRING, &g->output, "FILE", "the image", .flags = BW_OPT_REQUIRED, .short_name = 'o',
		       .missing = "-o FILE is required"),
		BW_OPT("d", BW_OPT_LONG, &g->d, "D", "dimension (required)", .flags = BW_OPT_REQUIRED),
		BW_OPT("eta", BW_OPT_DOUBLE, &g->eta, "E", "step size"),
		BW_OPT("quiet", BW_OPT_FLAG, &g->quiet, NULL, "no progress"),
		{0},
	};
	memcpy(table, t, sizeof t);
}

static struct bw_cli_cmd demo = {.name = "demo", .args = "SPEC", .minpos = 1, .maxpos = 1,
				 .pos_missing = "expected one SPEC file (see --help)", .summary = "Demo summary.",
				 .epilog = "epilog line\n", .opts = table,
				 .excl_msg = {"--columns lists rows; --group-by lists groups"}};

/* parse the NULL-ended args into a fresh table and targets */
static struct got *parse(const char *const *args)
{
	static struct got g;
	memset(&g, 0, sizeof g);
	make_table(&g);
	int argc = 0;
	while (args[argc])
		g.argv[argc] = (char *)args[argc], argc++;
	bw_error_clear();
	g.rc = bw_cli_parse(&demo, argc, g.argv, &g.npos);
	snprintf(g.msg, sizeof g.msg, "%s", bw_error_message());
	return &g;
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void refused(const char *const *args, const char *want, const char *what)
{
	struct got *g = parse(args);
	TU_CHECK(g->rc == BW_EINVAL, "%s: status %d, want BW_EINVAL", what, g->rc);
	TU_CHECK(!strcmp(g->msg, want), "%s: message '%s', want '%s'", what, g->msg, want);
}

static const char SYNOPSIS[] = "biasweep demo SPEC [--catalog FILE] [--where COND ...] [--group-by COLS | --columns COLS] "
			       "[--limit N] [--format table|csv|json] -o FILE --d D [--eta E] [--quiet]";

static const char HELP[] =
	"usage: biasweep demo SPEC [--catalog FILE] [--where COND ...] [--group-by COLS | --columns COLS] [--limit N] "
	"[--format table|csv|json] -o FILE --d D [--eta E] [--quiet]\n"
	"\n"
	"Demo summary.\n"
	"\n"
	"options:\n"
	"  --catalog FILE         the catalog\n"
	"  --where COND           a filter, repeatable\n"
	"  --group-by COLS        aggregate per group\n"
	"  --columns COLS         columns to list\n"
	"  --limit N              at most N rows\n"
	"  --format F             table | csv | json\n"
	"  -o, --output FILE      the image\n"
	"  --d D                  dimension (required)\n"
	"  --eta E                step size\n"
	"  --quiet                no progress\n"
	"  -h, --help             show this help and exit\n"
	"\n"
	"epilog line\n";

static void test_values(void)
{
	struct got *g = parse(ARGS("S.cfg", "--d", "5", "-o", "x.png"));
	TU_CHECK(g->rc == BW_OK, "minimal: status %d (%s)", g->rc, g->msg);
	TU_CHECK(g->npos == 1 && !strcmp(g->argv[0], "S.cfg"), "minimal: the positional argument");
	TU_CHECK(g->d == 5 && g->output && !strcmp(g->output, "x.png"), "minimal: --d 5, -o x.png");
	TU_CHECK(bw_opt_given(table, &g->d) && bw_opt_given(table, &g->output) && !bw_opt_given(table, &g->eta),
		 "bw_opt_given: --d and -o given, --eta not");
	TU_CHECK(bw_opt_find(table, &g->eta) == &table[8] && bw_opt_find(table, &g) == NULL, "bw_opt_find");

	/* --opt=value and --opt value, the positional argument among the options */
	g = parse(ARGS("--d=7", "--eta", "0.25", "--catalog=a=b.sqlite", "S", "--output=y.svg", "--format", "csv", "--quiet"));
	TU_CHECK(g->rc == BW_OK, "= and space forms: status %d (%s)", g->rc, g->msg);
	TU_CHECK(g->d == 7 && g->eta == 0.25 && g->fmt == 1 && g->quiet == 1, "= and space forms: values");
	TU_CHECK(g->catalog && !strcmp(g->catalog, "a=b.sqlite"), "--catalog=a=b.sqlite keeps the second '='");
	TU_CHECK(g->output && !strcmp(g->output, "y.svg"), "--output=y.svg");
	TU_CHECK(g->npos == 1 && !strcmp(g->argv[0], "S"), "positional moved to argv[0]: '%s'", g->argv[0]);

	/* after --, an argument that looks like an option is positional; a value may start with - */
	g = parse(ARGS("--d", "1", "-o", "-", "--eta", "-0.5", "--", "-S"));
	TU_CHECK(g->rc == BW_OK && g->npos == 1 && !strcmp(g->argv[0], "-S"), "--: '-S' is positional (%s)", g->msg);
	TU_CHECK(g->eta == -0.5 && !strcmp(g->output, "-"), "values '-0.5' and '-'");

	/* the repeatable option collects, in order; lists may be mixed with = */
	g = parse(ARGS("S", "--d", "1", "-o", "x", "--where", "d=1", "--where=kappa>2"));
	TU_CHECK(g->rc == BW_OK && g->where.len == 2 && !strcmp(g->where.items[0], "d=1") &&
			 !strcmp(g->where.items[1], "kappa>2"),
		 "--where twice: %d items (%s)", g->where.len, g->msg);

	/* members of different groups go together */
	g = parse(ARGS("S", "--d", "1", "-o", "x", "--columns", "n", "--limit", "3"));
	TU_CHECK(g->rc == BW_OK && g->limit == 3, "--columns with --limit: status %d (%s)", g->rc, g->msg);
}

static void test_refusals(void)
{
	refused(ARGS("S", "-o", "x"), "--d is required", "required --d missing");
	refused(ARGS("S", "--d", "1"), "-o FILE is required", "required -o missing (its own message)");
	refused(ARGS("--d", "1", "-o", "x"), "expected one SPEC file (see --help)", "no positional argument");
	refused(ARGS("S", "T", "--d", "1", "-o", "x"), "unexpected argument 'T'", "two positional arguments");
	/* the positional count before the required options, those before the groups */
	refused(ARGS("--group-by", "d", "--columns", "n"), "expected one SPEC file (see --help)", "order: positional first");
	refused(ARGS("S", "--group-by", "d", "--columns", "n"), "-o FILE is required", "order: required before groups");

	refused(ARGS("S", "--d", "1", "-o", "x", "--group-by", "d", "--columns", "n"),
		"--columns lists rows; --group-by lists groups", "group ROWS: its message");
	refused(ARGS("S", "--d", "1", "-o", "x", "--limit", "2", "--group-by", "d"),
		"--group-by and --limit exclude each other", "group LIMIT: the generated message");

	refused(ARGS("S", "--d", "1", "--d", "2", "-o", "x"), "option --d given twice", "--d twice");
	refused(ARGS("S", "--d", "1", "-o", "x", "--output", "y"), "option --output given twice", "-o then --output");
	refused(ARGS("S", "--d", "1", "-o", "x", "--quiet", "--quiet"), "option --quiet given twice", "a flag twice");

	refused(ARGS("S", "--d", "1", "-o", "x", "--quite"), "unknown option '--quite' (did you mean --quiet?)",
		"misspelt flag");
	refused(ARGS("S", "--colums=d"), "unknown option '--colums' (did you mean --columns?)", "misspelt, = form");
	refused(ARGS("--hepl"), "unknown option '--hepl' (did you mean --help?)", "misspelt --help");
	refused(ARGS("S", "--bogus", "1"), "unknown option '--bogus' (see --help)", "unknown, nothing near");
	refused(ARGS("S", "--e"), "unknown option '--e' (see --help)", "one letter is no base for a guess");
	refused(ARGS("S", "-x"), "unknown option '-x' (options are long: --name)", "unknown short option");
	refused(ARGS("S", "-ox.png"), "unknown option '-ox.png' (options are long: --name)", "short name glued to a value");

	refused(ARGS("S", "--format", "xml"), "--format: 'xml' is not table, csv or json", "choice");
	refused(ARGS("S", "--format="), "--format: '' is not table, csv or json", "empty choice");
	refused(ARGS("S", "--format", "a\tbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"--format: 'a?bcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM...' is not table, csv or json",
		"choice: control characters shown as ?, cut at 40");
	refused(ARGS("S", "--quiet=1"), "--quiet takes no value", "flag with a value");
	refused(ARGS("S", "--d", "1", "-o"), "--output needs a value", "-o at the end");
	refused(ARGS("S", "--d", "1.5"), "--d: '1.5' is not an integer", "integer");
	refused(ARGS("S", "--eta", "1e999"), "--eta: '1e999' is not a number", "overflowing double");
	refused(ARGS("S", "--limit", "3", "--eta"), "--eta needs a value", "value missing at the end");
}

/* --help: BW_OPTS_HELP, the generated help on stdout, before any rule */
static void test_help(void)
{
	char buf[4096] = "";
	FILE *tmp = tmpfile();
	fflush(stdout);
	int saved = dup(1);
	dup2(fileno(tmp), 1);
	struct got *g = parse(ARGS("--quiet", "-h"));
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	size_t len = fread(buf, 1, sizeof buf - 1, tmp);
	buf[len] = 0;
	fclose(tmp);
	TU_CHECK(g->rc == BW_OPTS_HELP, "-h: status %d, want BW_OPTS_HELP (%s)", g->rc, g->msg);
	TU_CHECK(!strcmp(buf, HELP), "-h printed:\n%s\nwant:\n%s", buf, HELP);
	g = parse(ARGS("--bogus", "--help"));
	TU_CHECK(g->rc == BW_EINVAL, "an error before --help wins");

	char syn[1024];
	bw_cli_synopsis(&demo, syn, sizeof syn);
	TU_CHECK(!strcmp(syn, SYNOPSIS), "synopsis\n  '%s'\nwant\n  '%s'", syn, SYNOPSIS);
	bw_cli_synopsis(&demo, syn, 20);
	TU_CHECK(!strcmp(syn, "biasweep demo SPEC "), "synopsis cut to the buffer: '%s'", syn);

	/* more than BW_CLI_BRIEF optional options: the required ones and [options]; no positional part */
	long k = 0, x[9] = {0};
	struct bw_option many[] = {
		BW_OPT("k", BW_OPT_LONG, &k, "K", "required", .flags = BW_OPT_REQUIRED),
		BW_OPT("a", BW_OPT_LONG, &x[0], "A", ""), BW_OPT("b", BW_OPT_LONG, &x[1], "B", ""),
		BW_OPT("c", BW_OPT_LONG, &x[2], "C", ""), BW_OPT("e", BW_OPT_LONG, &x[3], "E", ""),
		BW_OPT("f", BW_OPT_LONG, &x[4], "F", ""), BW_OPT("g", BW_OPT_LONG, &x[5], "G", ""),
		BW_OPT("i", BW_OPT_LONG, &x[6], "I", ""), BW_OPT("j", BW_OPT_LONG, &x[7], "J", ""),
		BW_OPT("l", BW_OPT_LONG, &x[8], "L", ""), {0},
	};
	struct bw_cli_cmd brief = {.name = "many", .summary = "", .opts = many};
	bw_cli_synopsis(&brief, syn, sizeof syn);
	TU_CHECK(!strcmp(syn, "biasweep many --k K [options]"), "brief synopsis '%s'", syn);
	many[9].type = BW_OPT_END; /* eight optional ones: all listed */
	bw_cli_synopsis(&brief, syn, sizeof syn);
	TU_CHECK(!strcmp(syn, "biasweep many --k K [--a A] [--b B] [--c C] [--e E] [--f F] [--g G] [--i I] [--j J]"),
		 "full synopsis '%s'", syn);
}

int main(void)
{
	test_values();
	test_refusals();
	test_help();
	return tu_summary("test_opts");
}
