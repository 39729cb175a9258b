/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --gpu selectors against a fixed list of three GPUs (one with an NVIDIA
 * UUID, for "GPU-<uuid>" and its prefixes). */
#include "fuzz.h"
#include "gpu-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sel = fuzz_string(data, size);
	if (!sel)
		return 0;
	struct gpu_entry gpus[3] = {
	    {.pub = {.index = 0, .name = "0000:00:02.0", .pci = "0000:00:02.0",
		     .vendor = "intel", .driver = "i915"}},
	    {.pub = {.index = 1, .name = "0000:01:00.0", .pci = "0000:01:00.0",
		     .vendor = "nvidia", .driver = "nvidia",
		     .uuid = "GPU-6a1c9d2e-52b1-7c4a-1f2e-0123456789ab"}},
	    {.pub = {.index = 2, .name = "fde60000.gpu", .vendor = NULL, .driver = NULL}},
	};
	struct pt_gpu_list l = {.gpus = gpus, .n_gpus = 3};
	struct pt_gpu_selection *s = NULL;
	struct pt_error err = {0};
	if (pt_gpu_select(&l, sel, &s, &err) == 0) {
		bool any = false;
		for (size_t i = 0; i < 3; i++)
			any |= pt_gpu_selection_has(s, i);
		if (!any || pt_gpu_selection_has(s, 3))
			abort(); /* a selection that succeeds chose a GPU of the list */
		pt_gpu_selection_free(s);
	} else if (!err.message[0]) {
		abort();
	}
	free(sel);
	return 0;
}
