/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Our reading of libpulse's client.conf (default-server, cookie-file).
 * Depth 8: .include lines are not followed here (they would open files
 * the fuzzer names). */
#include "audio-private.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	if (!text)
		return 0;
	struct client_conf c = {0};
	if (client_conf_parse_text(text, &c, 8, NULL) == 0) {
		/* Values are stripped: no blank at either end. */
		for (char *v = c.default_server; v; v = v == c.default_server ? c.cookie_file : NULL) {
			size_t n = strlen(v);
			if (n && (strchr(" \t\r\n", v[0]) || strchr(" \t\r\n", v[n - 1])))
				abort();
		}
	}
	client_conf_done(&c);
	free(text);
	return 0;
}
