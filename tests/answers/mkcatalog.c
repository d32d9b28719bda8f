/* mkcatalog.c - writes the hand-made catalog of fixture.h to argv[1]. */
#include "fixture.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkcatalog PATH\n");
		return 2;
	}
	int rc = fixture_build(argv[1]);
	if (rc != BW_OK) {
		fprintf(stderr, "mkcatalog: %s\n", bw_error_message());
		return 1;
	}
	return 0;
}
