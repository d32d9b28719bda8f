/* json.h - a JSON writer into a growable buffer (buf.h).
 *
 * Values are written in order; the writer puts the commas and checks the
 * nesting: a value inside an object needs a key, one inside an array or at
 * the top none (key NULL).  Strings and keys are escaped: " and \, \n \r \t,
 * other control characters and DEL as \u00XX; valid UTF-8 passes through,
 * and each invalid sequence (its maximal prefix, as Unicode recommends and
 * Python's decoder does) becomes U+FFFD.  A non-finite number is written as
 * null.  Numbers have `digits` significant digits (%.*g; 17 round-trips
 * every double).  BW_JSON_ROWS puts each element of the outermost array on a
 * line of its own (a table of rows).
 *
 * The writing functions return BW_OK or the first error (BW_ENOMEM, or
 * BW_EINTERNAL for a nesting mistake), which is sticky: a writer may ignore
 * them and check bw_json_finish, which also requires every container closed,
 * ends the text with a newline and leaves it in out.p[0..out.len).  The
 * caller releases with bw_json_release.
 */
#ifndef BIASWEEP_JSON_H
#define BIASWEEP_JSON_H
#include "biasweep/buf.h"

#define BW_JSON_MAXDEPTH 32
enum { BW_JSON_ROWS = 1 };

struct bw_json {
	struct bw_buf out;
	int digits, flags;
	int depth, first, done; /* done: the top-level value is complete */
	char open[BW_JSON_MAXDEPTH]; /* '{' or '[' per level */
	int rc;
};

void bw_json_init(struct bw_json *j, int digits, int flags);
void bw_json_release(struct bw_json *j);

int bw_json_object(struct bw_json *j, const char *key); /* opens { */
int bw_json_array(struct bw_json *j, const char *key);  /* opens [ */
int bw_json_end(struct bw_json *j);                     /* closes the innermost */
int bw_json_number(struct bw_json *j, const char *key, double x);
int bw_json_int(struct bw_json *j, const char *key, long long x);
int bw_json_uint(struct bw_json *j, const char *key, unsigned long long x);
int bw_json_bool(struct bw_json *j, const char *key, int x);
int bw_json_null(struct bw_json *j, const char *key);
int bw_json_string(struct bw_json *j, const char *key, const char *s); /* NULL: null */
/* text that is already one JSON value (a number formatted by the caller) */
int bw_json_raw(struct bw_json *j, const char *key, const char *text);
int bw_json_finish(struct bw_json *j);

#endif
