/* test_proc.c - child processes (src/util/proc.c, proc.h), against what
 * POSIX sh is defined to do with the scripts it runs here:
 *  - bw_proc_run: `exit 3` gives a wait status that exited with 3; `kill
 *    -TERM $$` one killed by signal 15; a name on no PATH directory ENOENT
 *    with *status -1; a file on PATH without execute permission EACCES with
 *    *status -1 (glibc's posix_spawnp, as execvp);
 *  - the stdout capture (a long output cut at outlen - 1 bytes and the rest
 *    drained, so the child still exits 0), `extra` replacing a variable of
 *    the environment and adding one, stdout and stderr into `log`;
 *  - bw_proc_spawn's status mapping: 3, 128 + 15, and -1 for a child that
 *    cannot start. */
#include "biasweep/proc.h"
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_status(void)
{
	int st = 12345;
	char *exit3[] = {"sh", "-c", "exit 3", NULL};
	int rc = bw_proc_run(exit3, NULL, NULL, 0, NULL, &st);
	TU_CHECK(rc == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 3, "exit 3: rc %d status %#x", rc, st);
	TU_CHECK(bw_proc_spawn(exit3, NULL, NULL, 0, NULL) == 3, "spawn: exit 3");

	char *term[] = {"sh", "-c", "kill -TERM $$", NULL};
	rc = bw_proc_run(term, NULL, NULL, 0, NULL, &st);
	TU_CHECK(rc == 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "killed: rc %d status %#x", rc, st);
	TU_CHECK(bw_proc_spawn(term, NULL, NULL, 0, NULL) == 128 + SIGTERM, "spawn: killed");

	char *none[] = {"bw-test-no-such-program-8d1f", NULL};
	st = 12345;
	rc = bw_proc_run(none, NULL, NULL, 0, NULL, &st);
	TU_CHECK(rc == ENOENT && st == -1, "not on PATH: rc %d (want ENOENT %d), status %d", rc, ENOENT, st);
	TU_CHECK(bw_proc_spawn(none, NULL, NULL, 0, NULL) == -1, "spawn: not on PATH");
}

/* A script on PATH that is not executable: the search finds it, cannot run it. */
static void test_not_executable(void)
{
	char dir[] = "/tmp/bw-test-proc-XXXXXX";
	if (!mkdtemp(dir)) {
		TU_CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	char file[64], *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	snprintf(file, sizeof file, "%s/bwtool", dir);
	FILE *f = fopen(file, "w");
	TU_CHECK(f && fputs("#!/bin/sh\nexit 0\n", f) >= 0 && fclose(f) == 0, "writing %s", file);
	chmod(file, 0644);
	setenv("PATH", dir, 1);
	char *argv[] = {"bwtool", NULL};
	int st = 12345, rc = bw_proc_run(argv, NULL, NULL, 0, NULL, &st);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	/* root may execute nothing without an x bit either */
	TU_CHECK(rc == EACCES && st == -1, "not executable: rc %d (want EACCES %d), status %d", rc, EACCES, st);
	unlink(file);
	rmdir(dir);
}

static void test_capture(void)
{
	char out[64];
	int st;
	/* 200 bytes into 64: 63 kept, the rest drained (the child is not blocked) */
	char *many[] = {"sh", "-c", "i=0; while [ $i -lt 20 ]; do printf 0123456789; i=$((i+1)); done", NULL};
	int rc = bw_proc_run(many, NULL, out, sizeof out, NULL, &st);
	TU_CHECK(rc == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "capture: rc %d status %#x", rc, st);
	TU_CHECK(strlen(out) == 63 && !strncmp(out, "0123456789012", 13) && out[62] == '2', "capture: '%s'", out);

	setenv("BW_TEST_PROC_A", "parent", 1);
	const char *extra[] = {"BW_TEST_PROC_A=child", "BW_TEST_PROC_B=new", NULL};
	char *env[] = {"sh", "-c", "printf '%s,%s' \"$BW_TEST_PROC_A\" \"$BW_TEST_PROC_B\"", NULL};
	TU_CHECK(bw_proc_spawn(env, extra, out, sizeof out, NULL) == 0 && !strcmp(out, "child,new"), "extra: '%s'", out);
	TU_CHECK(bw_proc_spawn(env, NULL, out, sizeof out, NULL) == 0 && !strcmp(out, "parent,"), "no extra: '%s'",
		 out);
	unsetenv("BW_TEST_PROC_A");

	char log[] = "/tmp/bw-test-proc-log-XXXXXX";
	int fd = mkstemp(log);
	TU_CHECK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	close(fd);
	char *both[] = {"sh", "-c", "printf out; printf err >&2", NULL};
	TU_CHECK(bw_proc_spawn(both, NULL, NULL, 0, log) == 0, "log: status");
	char got[64] = "";
	FILE *f = fopen(log, "r");
	size_t n = f ? fread(got, 1, sizeof got - 1, f) : 0;
	got[n] = 0;
	if (f)
		fclose(f);
	TU_CHECK(!strcmp(got, "outerr"), "log: '%s'", got);
	unlink(log);
}

int main(void)
{
	test_status();
	test_not_executable();
	test_capture();
	return tu_summary("test_proc");
}
