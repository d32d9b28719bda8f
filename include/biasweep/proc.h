/* proc.h - child processes and scratch directories (for `biasweep bench`).
 *
 * bw_proc_spawn runs argv (PATH searched, no shell) with the environment
 * plus `extra` ("NAME=VALUE", NULL-terminated, replacing variables of the
 * same name), its stdout captured into out (NUL-terminated, up to outlen - 1
 * bytes, the rest drained) or written to the file `log`, and its stderr
 * appended to `log` when given.  Returns the exit status (128 + signal when
 * killed), or -1 when it could not start.
 * bw_proc_rm_tree removes a directory and everything below it (links are
 * removed, not followed); bw_proc_mkdir_p creates a directory and its
 * parents (0 or -1 with errno).
 */
#ifndef BIASWEEP_PROC_H
#define BIASWEEP_PROC_H
#include <stddef.h>

int bw_proc_spawn(char *const argv[], const char *const extra[], char *out, size_t outlen, const char *log);
void bw_proc_rm_tree(const char *dir);
int bw_proc_mkdir_p(const char *path);

#endif
