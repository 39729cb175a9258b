/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What audio.c reads of libpulse's client configuration, exposed to the
 * tests and the fuzz harness. Never installed. */
#pragma once

#include "util.h"

struct client_conf {
	char *default_server;
	char *cookie_file;
};

void client_conf_done(struct client_conf *c);

/* Parses the text of a client.conf (modified in place) as libpulse's
 * conf-parser does for the two keys we need: "key = value", ';' or '#'
 * comments, sections ignored, ".include FILE"; a later line wins. FILE is
 * read (bounded, regular files only) while depth < 8; depth 8 ignores
 * includes. 0, or -errno with err filled. */
int client_conf_parse_text(char *text, struct client_conf *c, unsigned depth,
			   struct pt_error *err);
