/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --setenv names, as pt_plan_set_env() takes them: NAME '=' VALUE in the
 * input, split at the first '='. */
#include "fuzz.h"
#include "passthru/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size);
	if (!in)
		return 0;
	char *value = strchr(in, '=');
	if (value)
		*value++ = '\0';
	struct pt_plan *p = pt_plan_new();
	if (p && pt_plan_set_env(p, in, value ? value : "", NULL) == 0) {
		if (!*in || (in[0] >= '0' && in[0] <= '9') ||
		    in[strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")])
			abort(); /* only portable names are taken */
		const char *got = pt_plan_get_env(p, in);
		if (!got || strcmp(got, value ? value : "") != 0)
			abort();
	}
	pt_plan_free(p);
	free(in);
	return 0;
}
