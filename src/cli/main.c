/* main.c - the command table; the only place that prints errors and exits. */
#include "biasweep/cli.h"
#include "biasweep/dynamics.h"
#include "biasweep/error.h"
#include "biasweep/opts.h"
#include "biasweep/suggest.h"
#include "revision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void openblas_set_num_threads(int);

/* The BLAS kernels are part of the result: OpenBLAS (DYNAMIC_ARCH) picks
 * them by CPU when it loads, before main, and kernels for different cores
 * round differently (seen here: Cooperlake's dgemv and Haswell's differ in
 * the last bits of 18 of smoke.cfg's 40 outcomes).  So that a sweep gives the
 * same outcomes bit for bit on every x86-64 machine with AVX2 and FMA (a
 * laptop, and each node type of a cluster), biasweep runs with OpenBLAS's
 * Haswell kernels: when OPENBLAS_CORETYPE is unset it sets it and re-executes
 * itself once, before MPI is initialized.  A user's own OPENBLAS_CORETYPE is
 * respected; the kernels in use are recorded with each sweep run
 * (sweeps.libraries, openblas_get_config).  OPENBLAS_NUM_THREADS=1 is set the
 * same way: ranks are the parallelism, and without it OpenBLAS starts a pool
 * of threads at load that openblas_set_num_threads(1) only parks (each rank
 * would carry idle threads, and a process that exits at once races them). */
static void pin_blas(char **argv)
{
	int core = 0, threads = !getenv("OPENBLAS_NUM_THREADS");
	if (!getenv("OPENBLAS_CORETYPE")) {
		__builtin_cpu_init();
		/* without AVX2 and FMA: OpenBLAS's own choice for this CPU */
		core = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
	}
	if (!core && !threads)
		return;
	if ((core && setenv("OPENBLAS_CORETYPE", "Haswell", 1) != 0) ||
	    (threads && setenv("OPENBLAS_NUM_THREADS", "1", 1) != 0))
		return;
	execv("/proc/self/exe", argv);
	/* could not re-execute: the kernels and threads OpenBLAS chose stay */
	if (core)
		unsetenv("OPENBLAS_CORETYPE");
	if (threads)
		unsetenv("OPENBLAS_NUM_THREADS");
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"run", cmd_run, "run a sweep (jobs/*.cfg) on all MPI ranks into the catalog"},
	{"run-one", cmd_run_one, "run one dynamics on one instance and print the outcome"},
	{"plan", cmd_plan, "validate a spec and print its tasks, cost and memory per rank"},
	{"status", cmd_status, "per spec: complete or not, searches resolved, pending; then each run's tasks"},
	{"query", cmd_query, "filter the catalog's results; list rows or aggregate per group"},
	{"curve", cmd_curve, "success rate against n, n* with interval per cell, fits (--fit)"},
	{"dt", cmd_dt, "the Donoho-Tanner l1 transition n50 = d psi(kappa/d)"},
	{"plot", cmd_plot, "figures (n* against d, kappa ln d; phase; trajectories; experiments) via gnuplot"},
	{"merge", cmd_merge, "merge shard catalogs (Slurm array elements) into one catalog"},
	{"bench", cmd_bench, "kernels against this CPU's peak and NumPy peers; coordinator throughput"},
};

static void usage(FILE *f)
{
	char dyn[256];
	bw_dynamics_list(0, ", ", " and ", dyn, sizeof dyn);
	fprintf(f, "usage: biasweep COMMAND [OPTIONS]   (biasweep COMMAND --help for a command's options)\n\n"
		   "Implicit-bias sweeps on the sparse quadratic model w = u.u - v.v, one instance at a time\n"
		   "through every dynamics: %s\n(run-one --help describes each).\n\ncommands:\n",
		dyn);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nrevision %s\n", BW_REVISION);
}

int main(int argc, char **argv)
{
	pin_blas(argv);
	/* One BLAS thread per process: ranks are the parallelism, and a fixed
	 * thread count keeps BLAS reductions (and so results) bit-reproducible. */
	openblas_set_num_threads(1);
	bw_error_install_gsl_handler();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("biasweep %s\n", BW_REVISION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		int rc = commands[i].fn(argc - 2, argv + 2);
		if (rc == BW_OPTS_HELP)
			return 0;
		if (rc != BW_OK && bw_error_message()[0])
			fprintf(stderr, "biasweep %s: %s\n", commands[i].name, bw_error_message());
		return bw_error_exit_code(rc);
	}
	const char *names[sizeof commands / sizeof commands[0]];
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		names[i] = commands[i].name;
	char hint[96];
	bw_suggest_hint(hint, sizeof hint, argv[1], names, sizeof names / sizeof names[0]);
	fprintf(stderr, "biasweep: unknown command '%s'%s\n", argv[1], hint[0] ? hint : " (see biasweep --help)");
	return 2;
}
