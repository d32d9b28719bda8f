/* error.c - the per-thread error record behind RAISE/CHECK, and the GSL
 * error handler that feeds it. */
#include "biasweep/error.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local struct {
	int code;
	char origin[128];
	char msg[1024];
} err;

int bw_error_raise(int code, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	err.code = code;
	snprintf(err.origin, sizeof err.origin, "%s:%d", file, line);
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof err.msg, fmt, ap);
	va_end(ap);
	return code;
}

int bw_error_context(int code, const char *fmt, ...)
{
	char head[512], old[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, err.msg, sizeof old);
	snprintf(err.msg, sizeof err.msg, "%.500s: %.500s", head, old);
	if (!err.code)
		err.code = code;
	return code;
}

const char *bw_error_message(void) { return err.msg; }
const char *bw_error_origin(void) { return err.origin; }
int bw_error_code(void) { return err.code; }

void bw_error_clear(void)
{
	err.code = 0;
	err.msg[0] = err.origin[0] = 0;
}

int bw_error_exit_code(int code)
{
	switch (code) {
	case BW_OK: return 0;
	case BW_EINVAL: return 2;
	case BW_EINTR: return 3;
	default: return 1;
	}
}

static void gsl_to_bw(const char *reason, const char *file, int line, int gsl_errno)
{
	/* Recorded, not fatal: the GSL call also returns gsl_errno, which the
	 * caller turns into its own RAISE with context. */
	bw_error_raise(BW_ENUMERIC, file, line, "gsl: %s (%s)", reason, gsl_strerror(gsl_errno));
}

void bw_error_install_gsl_handler(void) { gsl_set_error_handler(gsl_to_bw); }
