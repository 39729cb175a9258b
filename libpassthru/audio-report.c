/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "audio-report.h"
#include "passthru/audio.h"

static int add(struct json_object *o, const char *key, struct json_object *v, bool null_ok)
{
	if (!v && !null_ok)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static struct json_object *string_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

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
	struct json_object *o = json_object_new_object();
	r = o ? 0 : -ENOMEM;
	if (r >= 0)
		r = add(o, "server", string_or_null(server), !server);
	if (r >= 0)
		r = add(o, "name", string_or_null(pt_audio_get_name(a)), !pt_audio_get_name(a));
	if (r >= 0)
		r = add(o, "version", string_or_null(pt_audio_get_version(a)),
			!pt_audio_get_version(a));
	if (r >= 0)
		r = add(o, "running", json_object_new_boolean(pt_audio_is_running(a)), false);
	if (r >= 0)
		r = add(o, "state",
			json_object_new_string(pt_audio_state_name(pt_audio_get_state(a))), false);
	if (r >= 0 && why && why->code)
		r = add(o, "error", json_object_new_string(why->message), false);
	if (r < 0) {
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
