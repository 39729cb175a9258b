/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's /etc/group, for a user "u" with primary gid 1000. */
#include "fuzz.h"
#include "userdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	if (!text)
		return 0;
	struct userdb_user u = {.uid = 1000, .gid = 1000, .name = strdup("u")};
	if (u.name && userdb_parse_groups(text, &u, NULL) == 0) {
		if (u.n_groups == 0 || u.groups[0] != 1000)
			abort(); /* the primary group comes first */
		for (size_t i = 0; i < u.n_groups; i++)
			for (size_t j = i + 1; j < u.n_groups; j++)
				if (u.groups[i] == u.groups[j])
					abort(); /* no duplicates */
	}
	userdb_user_done(&u);
	free(text);
	return 0;
}
