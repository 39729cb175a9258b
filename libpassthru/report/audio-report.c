/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "audio-report.h"
#include "json-build.h"
#include "passthru/audio.h"

int audio_report_json(const struct pt_audio *a, const struct pt_error *why,
		      struct json_object **ret, struct pt_error *err)
{
	if (!a)
		return pt_error_set(err, ENOMEM, "audio report");
	*ret = NULL;
	int r = dlopen_json(err);
	if (r < 0)
		return pt_error_prefix(err, "audio report");
	if (pt_audio_get_state(a) == PT_AUDIO_NO_SERVER)
		return 0;

	const char *server =
	    pt_audio_get_socket(a) ? pt_audio_get_socket(a) : pt_audio_get_server(a);
	struct jb b = {0};
	struct json_object *o = jnew(&b, json_object_new_object());
	jadd_str(&b, o, "server", server);
	jadd_str(&b, o, "name", pt_audio_get_name(a));
	jadd_str(&b, o, "version", pt_audio_get_version(a));
	jadd_bool(&b, o, "running", pt_audio_is_running(a));
	jadd_str(&b, o, "state", pt_audio_state_name(pt_audio_get_state(a)));
	if (why && why->code)
		jadd_str(&b, o, "error", why->message);
	if (b.failed) {
		json_object_put(o);
		return pt_error_set(err, ENOMEM, "audio report");
	}
	*ret = o;
	return 0;
}

void audio_report_table(const struct pt_audio *a, const struct pt_error *why, struct strbuf *out)
{
	strbuf_puts(out, "Audio (PulseAudio)\n");
	if (!a) {
		out->failed = true;
		return;
	}
	const char *server =
	    pt_audio_get_socket(a) ? pt_audio_get_socket(a) : pt_audio_get_server(a);
	if (pt_audio_get_state(a) == PT_AUDIO_NO_SERVER) {
		strbuf_puts(out, "  server:   none\n");
	} else {
		strbuf_printf(out, "  server:   %s\n", server ? server : "?");
		if (pt_audio_get_name(a))
			strbuf_printf(out, "  name:     %s\n  version:  %s\n", pt_audio_get_name(a),
				      pt_audio_get_version(a));
	}
	strbuf_printf(out, "  state:    %s\n", pt_audio_state_name(pt_audio_get_state(a)));
	if (pt_audio_get_cookie(a))
		strbuf_printf(out, "  cookie:   %s\n", pt_audio_get_cookie(a));
	if (why && why->code)
		strbuf_printf(out, "  problem:  %s\n", why->message);
}
