/* cli.h - the subcommands.  Each cmd_* parses its own flags from its option
 * table, calls the layers below and prints; it returns a bw_code and leaves
 * the message in the error record for main() to print. */
#ifndef BIASWEEP_CLI_H
#define BIASWEEP_CLI_H

int cmd_run_one(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_curve(int argc, char **argv);
int cmd_dt(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
