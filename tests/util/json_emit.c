/* json_emit.c - writes with bw_json (json.h) what stdin describes, for
 * test_json.py to parse with Python's json module.  Usage: json_emit DIGITS
 * [rows].  Each input line is one call; bytes and keys are hex:
 *   { KEY|-      bw_json_object        [ KEY|-   bw_json_array      ]  bw_json_end
 *   s KEY|- HEX  bw_json_string        n KEY|- %a-double            bw_json_number
 *   i KEY|- INT  bw_json_int           u KEY|- UINT                 bw_json_uint
 *   b KEY|- 0|1  bw_json_bool          z KEY|-                      bw_json_null
 *   r KEY|- HEX  bw_json_raw
 * ("-": no key).  Prints the text after bw_json_finish, or "ERROR <code>"
 * and exits 1 when a call or the finish fails. */
#include "biasweep/error.h"
#include "biasweep/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *unhex(const char *h)
{
	size_t n = strlen(h) / 2;
	char *s = malloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned x;
		sscanf(h + 2 * i, "%2x", &x);
		s[i] = (char)x;
	}
	s[n] = 0;
	return s;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	struct bw_json j;
	bw_json_init(&j, atoi(argv[1]), argc > 2 && !strcmp(argv[2], "rows") ? BW_JSON_ROWS : 0);
	static char line[1 << 17], k[sizeof line], arg[sizeof line];
	int rc = BW_OK;
	while (rc == BW_OK && fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\n")] = 0;
		char op = line[0];
		strcpy(k, "-");
		arg[0] = 0;
		sscanf(line + 1, " %131071s %131071s", k, arg);
		char *key = strcmp(k, "-") ? unhex(k) : NULL, *s = NULL;
		switch (op) {
		case '{': rc = bw_json_object(&j, key); break;
		case '[': rc = bw_json_array(&j, key); break;
		case ']': rc = bw_json_end(&j); break;
		case 's': rc = bw_json_string(&j, key, s = unhex(arg)); break;
		case 'r': rc = bw_json_raw(&j, key, s = unhex(arg)); break;
		case 'n': rc = bw_json_number(&j, key, strtod(arg, NULL)); break;
		case 'i': rc = bw_json_int(&j, key, strtoll(arg, NULL, 10)); break;
		case 'u': rc = bw_json_uint(&j, key, strtoull(arg, NULL, 10)); break;
		case 'b': rc = bw_json_bool(&j, key, atoi(arg)); break;
		case 'z': rc = bw_json_null(&j, key); break;
		default: break;
		}
		free(key);
		free(s);
	}
	if (rc == BW_OK)
		rc = bw_json_finish(&j);
	if (rc != BW_OK) {
		printf("ERROR %d %s\n", rc, bw_error_message());
		bw_json_release(&j);
		return 1;
	}
	fwrite(j.out.p, 1, j.out.len, stdout);
	bw_json_release(&j);
	return 0;
}
