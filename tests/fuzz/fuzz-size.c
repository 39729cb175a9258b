/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --xephyr=WxH / --xvfb=WxH screen sizes. */
#include "fuzz.h"
#include "passthru/display.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = fuzz_string(data, size);
	if (!spec)
		return 0;
	unsigned w = 0, h = 0;
	if (pt_display_parse_size(spec, &w, &h, NULL) == 0 &&
	    (w < 1 || w > 32767 || h < 1 || h > 32767))
		abort(); /* X's 16-bit signed sizes */
	free(spec);
	return 0;
}
