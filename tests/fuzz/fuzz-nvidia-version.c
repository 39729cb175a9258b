/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/driver/nvidia/version and /sys/module/nvidia/version. */
#include <ctype.h>

#include "fuzz.h"
#include "gpu-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	if (!text)
		return 0;
	char *v = NULL;
	if (nvidia_parse_version(text, &v) == 0) {
		/* What it returns goes into messages and library names: digits
		 * and dots only. */
		if (!*v || strspn(v, "0123456789.") != strlen(v))
			abort();
		free(v);
	}
	free(text);
	return 0;
}
