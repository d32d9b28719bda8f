/* error.h - one error path for every layer.
 *
 * Library functions return an int status (BW_OK = 0) and never print or exit.
 * RAISE records a message with the file:line that raised it and returns the
 * code; CHECK propagates a failing status upward.  Only main() prints the
 * message (bw_error_message) and maps the code to an exit status
 * (bw_error_exit_code: bad input -> 2).  The record is per thread.
 */
#ifndef BIASWEEP_ERROR_H
#define BIASWEEP_ERROR_H

enum bw_code {
	BW_OK = 0,
	BW_EINVAL,   /* bad user input: flags, spec, parameter ranges (exit 2) */
	BW_ENOMEM,   /* allocation failed */
	BW_EIO,      /* a file could not be read or written */
	BW_ENUMERIC, /* a numerical routine failed (GSL, Cholesky, ...) */
	BW_ESTORE,   /* SQLite or HDF5 failure */
	BW_EMPI,     /* MPI failure */
	BW_EINTR,    /* interrupted by a signal; state is consistent, resume by rerun */
	BW_EINTERNAL, /* a bug */
	BW_EBUSY     /* a file is locked by another connection (a reader of a rollback-journal
		      * catalog, another writer): nothing was lost, try again later (exit 1) */
};

int bw_error_raise(int code, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Prefix the current message with more context ("while doing X: ..."). */
int bw_error_context(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *bw_error_message(void);    /* "" when none */
const char *bw_error_origin(void);     /* "src/x.c:12" of the RAISE */
int bw_error_code(void);
void bw_error_clear(void);
int bw_error_exit_code(int code);      /* BW_EINVAL -> 2, BW_EINTR -> 3, others -> 1 */

/* Route GSL errors into this error path instead of abort(). */
void bw_error_install_gsl_handler(void);

#define RAISE(code, ...) bw_error_raise((code), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK(expr)                          \
	do {                                 \
		int bw_rc_ = (expr);         \
		if (bw_rc_ != BW_OK)         \
			return bw_rc_;       \
	} while (0)

#endif
