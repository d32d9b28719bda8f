/* proc.c - posix_spawn with an extended environment and a captured stdout,
 * and scratch directories (proc.h). */
#include "biasweep/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* environ without the variables `extra` sets, then `extra` (malloc'd array) */
static char **child_env(const char *const extra[])
{
	size_t ne = 0, nx = 0;
	while (environ[ne])
		ne++;
	while (extra && extra[nx])
		nx++;
	char **env = malloc((ne + nx + 1) * sizeof(char *));
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < ne; i++) {
		int overridden = 0;
		for (size_t e = 0; e < nx; e++) {
			const char *eq = strchr(extra[e], '=');
			size_t len = eq ? (size_t)(eq - extra[e]) + 1 : strlen(extra[e]);
			if (!strncmp(environ[i], extra[e], len))
				overridden = 1;
		}
		if (!overridden)
			env[k++] = environ[i];
	}
	for (size_t e = 0; e < nx; e++)
		env[k++] = (char *)extra[e];
	env[k] = NULL;
	return env;
}

static void read_all(int fd, char *out, size_t outlen)
{
	size_t len = 0;
	ssize_t got;
	while ((got = read(fd, out + len, outlen - 1 - len)) > 0) {
		len += (size_t)got;
		if (len + 1 >= outlen)
			break;
	}
	out[len] = 0;
	char drain[4096];
	while (read(fd, drain, sizeof drain) > 0)
		;
}

int bw_proc_run(char *const argv[], const char *const extra[], char *out, size_t outlen, const char *log, int *status)
{
	int fd[2] = {-1, -1};
	*status = -1;
	if (out && pipe(fd) != 0)
		return errno;
	char **env = child_env(extra);
	if (!env) {
		if (out) {
			close(fd[0]);
			close(fd[1]);
		}
		return ENOMEM;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (out) {
		posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
		posix_spawn_file_actions_addclose(&fa, fd[0]);
		posix_spawn_file_actions_addclose(&fa, fd[1]);
	}
	if (log) {
		if (!out)
			posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	}
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (out)
		close(fd[1]);
	if (rc != 0) {
		if (out)
			close(fd[0]);
		return rc;
	}
	if (out) {
		read_all(fd[0], out, outlen);
		close(fd[0]);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			*status = 0;
			return errno;
		}
	*status = st;
	return 0;
}

int bw_proc_spawn(char *const argv[], const char *const extra[], char *out, size_t outlen, const char *log)
{
	int st;
	if (bw_proc_run(argv, extra, out, outlen, log, &st) != 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

void bw_proc_rm_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	char path[8300];
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			bw_proc_rm_tree(path);
		else
			unlink(path);
	}
	closedir(dp);
	rmdir(dir);
}

int bw_proc_mkdir_p(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}
