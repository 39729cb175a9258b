/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's /etc/ld.so.cache, which --nvidia-driver and the doctor
 * read: any bytes. A parsed cache is also written again, and the written
 * image must parse to the same entries (what --nvidia-driver does with a
 * container's cache before it adds the host driver's). */
#include "fuzz.h"
#include "ldcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ldcache *c = NULL;
	struct pt_error err = {0};
	if (ldcache_parse(data, size, "fuzz", &c, &err) < 0) {
		if (!err.code || !err.message[0])
			abort(); /* every failure says why */
		return 0;
	}
	/* Every entry points inside the image, at a terminated string. */
	for (size_t i = 0; i < c->n; i++)
		if (!c->entries[i].key || !c->entries[i].value ||
		    c->entries[i].key < c->data || c->entries[i].key >= c->data + c->size ||
		    c->entries[i].value < c->data || c->entries[i].value >= c->data + c->size)
			abort();
	char *image = NULL;
	size_t len = 0;
	struct ldcache *again = NULL;
	if (ldcache_build(c->entries, c->n, &image, &len, &err) == 0) {
		if (ldcache_parse(image, len, "rebuilt", &again, &err) < 0 || again->n != c->n)
			abort();
		ldcache_free(again);
		free(image);
	}
	ldcache_free(c);
	return 0;
}
