/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --bind / --bind-ro arguments: "SRC[:DST]" with "\:" and "\\". */
#include "fuzz.h"
#include "passthru/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size);
	if (!spec)
		return 0;
	char *src = NULL, *dst = NULL;
	if (pt_bind_parse(spec, &src, &dst, NULL) == 0) {
		if (src[0] != '/' || dst[0] != '/')
			abort(); /* both absolute */
		for (const char *p = src; *p; p++)
			if ((unsigned char)*p < 0x20)
				abort();
		free(src);
		free(dst);
	}
	free(spec);
	return 0;
}
