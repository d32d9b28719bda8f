/* proc.h - child processes and scratch directories (bench, figures).
 *
 * bw_proc_spawn runs argv (PATH searched, no shell) with the environment
 * plus `extra` ("NAME=VALUE", NULL-terminated, replacing variables of the
 * same name; NULL for none), its stdout captured into out (NUL-terminated,
 * up to outlen - 1 bytes, the rest drained) or written to the file `log`,
 * and its stderr appended to `log` when given (both inherited when out and
 * log are NULL), and waits for it.  Returns the exit status (128 + signal
 * when killed), or -1 when it could not start.
 * bw_proc_run is the same with the failure kept: it returns 0 with the
 * child's wait status in *status (WIFEXITED, WTERMSIG, ...), or an errno
 * value, with *status -1 when the child did not start (ENOENT: not on PATH)
 * and 0 when it started but could not be waited for.
 * bw_proc_rm_tree removes a directory and everything below it (links are
 * removed, not followed); bw_proc_mkdir_p creates a directory and its
 * parents (0 or -1 with errno).
 */
#ifndef BIASWEEP_PROC_H
#define BIASWEEP_PROC_H
#include <stddef.h>

int bw_proc_spawn(char *const argv[], const char *const extra[], char *out, size_t outlen, const char *log);
int bw_proc_run(char *const argv[], const char *const extra[], char *out, size_t outlen, const char *log,
		int *status);
void bw_proc_rm_tree(const char *dir);
int bw_proc_mkdir_p(const char *path);

#endif
