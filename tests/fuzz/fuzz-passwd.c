/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's /etc/passwd. The input's first line is the user asked
 * for (-u), the rest the file. */
#include "fuzz.h"
#include "userdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size);
	if (!in)
		return 0;
	char *text = strchr(in, '\n');
	if (text)
		*text++ = '\0';
	else
		text = in + strlen(in);
	struct userdb_user u = {0};
	struct pt_error err = {0};
	if (userdb_parse_passwd(text, in, &u, &err) == 0) {
		/* A found user is whole, and never (uid_t)-1. */
		if (!u.name || !u.home || !u.shell || u.uid == (uid_t)-1 || u.gid == (gid_t)-1)
			abort();
	} else if (!err.code || !err.message[0]) {
		abort(); /* every failure says why */
	}
	userdb_user_done(&u);
	free(in);
	return 0;
}
