/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's PulseAudio (or PipeWire pulse) server: let libpulse find it,
 * tell apart why it cannot be reached, and put it into a plan. */
#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "audio-private.h"
#include "dlopen-pulse.h"
#include "passthru/audio.h"

#define DEFAULT_TIMEOUT_MS 2000
/* libpulse's system-wide socket (PA_SYSTEM_RUNTIME_PATH on Debian and Fedora). */
#define SYSTEM_SOCKET "/var/run/pulse/native"

struct pt_audio {
	enum pt_audio_state state;
	bool running;
	char *server;
	char *socket;
	char *name;
	char *version;
	char *cookie;
};

const char *pt_audio_state_name(enum pt_audio_state state)
{
	switch (state) {
	case PT_AUDIO_RUNNING:
		return "running";
	case PT_AUDIO_NO_SERVER:
		return "none";
	case PT_AUDIO_STALE:
		return "stale";
	case PT_AUDIO_REMOTE:
		return "remote";
	case PT_AUDIO_DENIED:
		return "denied";
	case PT_AUDIO_FAILED:
		return "failed";
	}
	return "unknown";
}

void pt_audio_free(struct pt_audio *a)
{
	if (!a)
		return;
	free(a->server);
	free(a->socket);
	free(a->name);
	free(a->version);
	free(a->cookie);
	free(a);
}

enum pt_audio_state pt_audio_get_state(const struct pt_audio *a)
{
	return a->state;
}
bool pt_audio_is_running(const struct pt_audio *a)
{
	return a->running;
}
const char *pt_audio_get_server(const struct pt_audio *a)
{
	return a->server;
}
const char *pt_audio_get_socket(const struct pt_audio *a)
{
	return a->socket;
}
const char *pt_audio_get_name(const struct pt_audio *a)
{
	return a->name;
}
const char *pt_audio_get_version(const struct pt_audio *a)
{
	return a->version;
}
const char *pt_audio_get_cookie(const struct pt_audio *a)
{
	return a->cookie;
}

/* ---- server strings ---------------------------------------------------- */

/* One server of a libpulse server string: "{machine-id}" may lead it (the
 * server is only meant for that machine); "unix:PATH" or a plain absolute
 * path is a local socket; anything else ("tcp:host:port", "tcp6:[::1]",
 * a bare host name) is reached over the network. *ret_path is the socket's
 * path or NULL for a network server. */
static int server_socket_path(const char *server, char **ret_path)
{
	if (*server == '{') {
		const char *e = strchr(server, '}');
		if (e)
			server = e + 1;
	}
	const char *path = NULL;
	if (startswith(server, "unix:"))
		path = server + strlen("unix:");
	else if (*server == '/')
		path = server;
	*ret_path = NULL;
	if (path && !(*ret_path = strdup(path)))
		return -ENOMEM;
	return 0;
}

/* ---- configuration libpulse would read (for diagnosis and the cookie) ---- */

static const char *home_dir(void)
{
	const char *h = secure_getenv("HOME");
	if (h && *h == '/')
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir == '/' ? pw->pw_dir : NULL;
}

/* $XDG_CONFIG_HOME/pulse/NAME or ~/.config/pulse/NAME: libpulse's config home. */
static char *config_home_path(const char *name)
{
	const char *x = secure_getenv("XDG_CONFIG_HOME");
	char *p = NULL;
	if (x && *x == '/') {
		if (asprintf(&p, "%s/pulse/%s", x, name) < 0)
			return NULL;
	} else {
		const char *h = home_dir();
		if (!h || asprintf(&p, "%s/.config/pulse/%s", h, name) < 0)
			return NULL;
	}
	return p;
}

static bool exists(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0;
}

/* client.conf files and cookies are a few hundred bytes; anything far
 * larger is not one (and libpulse would read all of it). */
#define CLIENT_CONF_MAX (1u << 20)
#define COOKIE_MAX (64u * 1024)
/* .include nesting libpulse would follow before we call it a loop. */
#define CLIENT_CONF_DEPTH 8

void client_conf_done(struct client_conf *c)
{
	free(c->default_server);
	free(c->cookie_file);
	*c = (struct client_conf){0};
}

/* Whitespace as libpulse's pa_strip() sees it, '\r' included at both
 * ends (a value "\r\tunix:/x" is "unix:/x" to libpulse). */
static char *strip(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int client_conf_parse(const char *path, struct client_conf *c, unsigned depth,
			     struct pt_error *err);

int client_conf_parse_text(char *text, struct client_conf *c, unsigned depth,
			   struct pt_error *err)
{
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s = strip(line);
		if (!*s || *s == ';' || *s == '#' || *s == '[')
			continue;
		if (startswith(s, ".include ")) {
			if (depth >= CLIENT_CONF_DEPTH)
				continue;
			int r = client_conf_parse(strip(s + strlen(".include ")), c, depth + 1, err);
			if (r < 0)
				return r;
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *key = strip(s), *value = strip(eq + 1);
		char **slot = streq(key, "default-server") ? &c->default_server
			      : streq(key, "cookie-file")  ? &c->cookie_file
							   : NULL;
		if (!slot)
			continue;
		free(*slot);
		if (!(*slot = strdup(value)))
			return pt_error_set(err, ENOMEM, "client.conf");
	}
	return 0;
}

/* A file libpulse would read: a missing or unreadable one is skipped, as
 * libpulse skips it; one it would block on or read without end (a FIFO,
 * /dev/zero, a huge file) is an error, found before libpulse hangs on it. */
static int conf_read(const char *path, size_t max, unsigned flags, char **ret,
		     struct pt_error *err)
{
	struct pt_error e = {0};
	int r = read_file_at(AT_FDCWD, path, max, flags, ret, NULL, &e);
	if (r == -ENOENT || r == -ENOTDIR || r == -EACCES || r == -EPERM || r == -ELOOP) {
		*ret = NULL;
		return 0;
	}
	if (r < 0 && err)
		*err = e;
	return r;
}

static int client_conf_parse(const char *path, struct client_conf *c, unsigned depth,
			     struct pt_error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = conf_read(path, CLIENT_CONF_MAX, READ_TEXT, &text, err);
	if (r < 0 || !text)
		return r;
	return client_conf_parse_text(text, c, depth, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* libpulse reads FILE.d/\*.conf (in name order) before FILE itself. */
static int client_conf_parse_dot_d(const char *file, struct client_conf *c, struct pt_error *err)
{
	_cleanup_free_ char *dir = NULL;
	if (asprintf(&dir, "%s.d", file) < 0)
		return pt_error_set(err, ENOMEM, "client.conf");
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	_cleanup_strv_ char **names = NULL;
	size_t n = 0, alloc = 0;
	int r = 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || !streq(de->d_name + len - 5, ".conf"))
			continue;
		void *p = names;
		if (grow_array(&p, &alloc, n + 2, sizeof(char *)) < 0) {
			r = -ENOMEM;
			break;
		}
		names = p;
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0) {
			names[n] = NULL;
			r = -ENOMEM;
			break;
		}
		names[++n] = NULL;
	}
	closedir(d);
	if (r < 0)
		return pt_error_set(err, ENOMEM, "client.conf");
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct pt_error e = {0};
		r = client_conf_parse(names[i], c, 0, &e);
		if (r == -EISDIR) /* a directory named x.conf: libpulse reads nothing */
			r = 0;
		else if (r < 0 && err)
			*err = e;
	}
	return r;
}

/* Which client.conf libpulse reads: $PULSE_CLIENTCONFIG, else the user's,
 * else the system's; only one of them, after its .d directory. */
static int client_conf_load(struct client_conf *c, struct pt_error *err)
{
	const char *env = secure_getenv("PULSE_CLIENTCONFIG");
	_cleanup_free_ char *user = NULL, *legacy = NULL;
	const char *file = "/etc/pulse/client.conf";
	if (env && *env) {
		file = env;
	} else {
		const char *h = home_dir();
		user = config_home_path("client.conf");
		if (h && asprintf(&legacy, "%s/.pulse/client.conf", h) < 0)
			legacy = NULL;
		if (exists(user))
			file = user;
		else if (exists(legacy))
			file = legacy;
		/* libpulse versions differ in which user file they try first
		 * (and PULSE_CONFIG_PATH adds one): one it may open and block
		 * on is refused whichever we parse. */
		const char *dir = secure_getenv("PULSE_CONFIG_PATH");
		_cleanup_free_ char *cpath = NULL;
		if (dir && *dir == '/' && asprintf(&cpath, "%s/client.conf", dir) < 0)
			return pt_error_set(err, ENOMEM, "client.conf");
		const char *other[] = {user, legacy, cpath};
		for (size_t i = 0; i < ELEMENTSOF(other); i++) {
			_cleanup_free_ char *text = NULL;
			int r = other[i] && exists(other[i])
				    ? conf_read(other[i], CLIENT_CONF_MAX, READ_TEXT, &text, err)
				    : 0;
			if (r < 0)
				return r;
		}
	}
	int r = client_conf_parse_dot_d(file, c, err);
	if (r >= 0)
		r = client_conf_parse(file, c, 0, err);
	return r;
}

/* The cookie libpulse would send, in its order: PULSE_COOKIE, client.conf
 * cookie-file, ~/.config/pulse/cookie, ~/.pulse-cookie; the first one that
 * it can read. NULL: none exists. libpulse would block on a FIFO or read
 * a device without end: such a candidate is an error, not skipped. */
static int find_cookie(const struct client_conf *conf, char **ret, struct pt_error *err)
{
	const char *h = home_dir();
	char *cand[4] = {NULL};
	const char *env = secure_getenv("PULSE_COOKIE");
	int r = 0;

	if (env && *env && !(cand[0] = strdup(env)))
		r = -ENOMEM;
	if (conf->cookie_file && *conf->cookie_file) {
		/* libpulse takes a relative cookie-file below the home directory. */
		if (conf->cookie_file[0] == '/')
			cand[1] = strdup(conf->cookie_file);
		else if (h && asprintf(&cand[1], "%s/%s", h, conf->cookie_file) < 0)
			cand[1] = NULL;
		if (!cand[1] && (conf->cookie_file[0] == '/' || h))
			r = -ENOMEM;
	}
	cand[2] = config_home_path("cookie");
	if (h && asprintf(&cand[3], "%s/.pulse-cookie", h) < 0)
		cand[3] = NULL;
	if (r < 0)
		pt_error_set(err, ENOMEM, "cookie");

	*ret = NULL;
	for (size_t i = 0; i < ELEMENTSOF(cand); i++) {
		if (r == 0 && !*ret && cand[i] && access(cand[i], R_OK) == 0) {
			_cleanup_free_ char *data = NULL;
			/* A cookie is 256 random bytes: no READ_TEXT. */
			r = conf_read(cand[i], COOKIE_MAX, 0, &data, err);
			if (r == 0 && data)
				*ret = steal_pointer(&cand[i]);
			else if (r < 0)
				pt_error_prefix(err, "cookie");
		}
		free(cand[i]);
	}
	return r;
}

/* ---- libpulse ------------------------------------------------------------ */

struct lookup {
	bool timed_out;
	bool info_done;
	char *name;
	char *version;
	bool oom;
};

static void on_timeout(pa_mainloop_api *api, pa_time_event *e, const struct timeval *tv,
		       void *userdata)
{
	(void)api;
	(void)e;
	(void)tv;
	((struct lookup *)userdata)->timed_out = true;
}

static void on_server_info(pa_context *c, const pa_server_info *i, void *userdata)
{
	(void)c;
	struct lookup *l = userdata;
	l->info_done = true;
	if (!i)
		return;
	l->name = strdup(i->server_name ? i->server_name : "");
	l->version = strdup(i->server_version ? i->server_version : "");
	l->oom = !l->name || !l->version;
}

static bool connecting(pa_context_state_t s)
{
	return s == PA_CONTEXT_UNCONNECTED || s == PA_CONTEXT_CONNECTING ||
	       s == PA_CONTEXT_AUTHORIZING || s == PA_CONTEXT_SETTING_NAME;
}

/* Connects as every client would, but never autospawns: a probe must not
 * start the server it is looking for. Fills a->server and, when it answered,
 * a->name and a->version. Returns the pa_context error (0: it answered) or
 * -errno for our own failures; PA_ERR_TIMEOUT when the time ran out. */
static int pulse_connect(const char *server, unsigned timeout_ms, struct pt_audio *a)
{
	pa_mainloop *m = pa_mainloop_new();
	if (!m)
		return -ENOMEM;
	pa_mainloop_api *api = pa_mainloop_get_api(m);
	pa_context *ctx = pa_context_new(api, "passthru");
	if (!ctx) {
		pa_mainloop_free(m);
		return -ENOMEM;
	}

	struct lookup l = {0};
	struct timeval tv;
	pa_timeval_add(pa_gettimeofday(&tv), (pa_usec_t)timeout_ms * PA_USEC_PER_MSEC);
	pa_time_event *te = api->time_new(api, &tv, on_timeout, &l);
	int r = 0;

	if (!te) {
		r = -ENOMEM;
		goto out;
	}
	if (pa_context_connect(ctx, server, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0) {
		r = pa_context_errno(ctx);
		goto out;
	}
	while (!l.timed_out && connecting(pa_context_get_state(ctx)))
		if (pa_mainloop_iterate(m, 1, NULL) < 0)
			break;

	/* The server it chose, or the last one it tried when none answered. */
	const char *chosen = pa_context_get_server(ctx);
	if (chosen && !(a->server = strdup(chosen))) {
		r = -ENOMEM;
		goto out;
	}
	if (pa_context_get_state(ctx) != PA_CONTEXT_READY) {
		r = l.timed_out ? PA_ERR_TIMEOUT : pa_context_errno(ctx);
		if (r == PA_OK)
			r = PA_ERR_UNKNOWN;
		goto out;
	}

	pa_operation *op = pa_context_get_server_info(ctx, on_server_info, &l);
	if (!op) {
		r = pa_context_errno(ctx);
		goto out;
	}
	while (!l.timed_out && !l.info_done && pa_context_get_state(ctx) == PA_CONTEXT_READY)
		if (pa_mainloop_iterate(m, 1, NULL) < 0)
			break;
	pa_operation_cancel(op);
	pa_operation_unref(op);
	if (l.oom)
		r = -ENOMEM;
	else if (!l.info_done)
		r = l.timed_out ? PA_ERR_TIMEOUT : pa_context_errno(ctx);
	else if (!l.name)
		r = PA_ERR_PROTOCOL;
	if (r == 0) {
		a->name = steal_pointer(&l.name);
		a->version = steal_pointer(&l.version);
	}
out:
	free(l.name);
	free(l.version);
	if (te)
		api->time_free(te);
	pa_context_disconnect(ctx);
	pa_context_unref(ctx);
	pa_mainloop_free(m);
	return r;
}

/* ---- diagnosis ------------------------------------------------------------ */

/* What one connect() to a unix socket says: 0 someone listens, else -errno. */
static int probe_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* The list libpulse walked: the server given, PULSE_SERVER, client.conf's
 * default-server, else the per-user socket and the system socket. (An X11
 * root window PULSE_SERVER is not read back here.) Whitespace-separated. */
static char *candidates(const char *server, const struct client_conf *conf)
{
	const char *env = secure_getenv("PULSE_SERVER");
	if (server && *server)
		return strdup(server);
	if (env && *env)
		return strdup(env);
	if (conf->default_server && *conf->default_server)
		return strdup(conf->default_server);

	char *s = NULL;
	const char *rt = secure_getenv("PULSE_RUNTIME_PATH");
	const char *xdg = secure_getenv("XDG_RUNTIME_DIR");
	int n;
	if (rt && *rt == '/')
		n = asprintf(&s, "%s/native %s", rt, SYSTEM_SOCKET);
	else if (xdg && *xdg == '/')
		n = asprintf(&s, "%s/pulse/native %s", xdg, SYSTEM_SOCKET);
	else
		n = asprintf(&s, "%s", SYSTEM_SOCKET);
	return n < 0 ? NULL : s;
}

/* libpulse failed with "connection refused" for the whole list: look at
 * each candidate ourselves. The first one that exists decides: a network
 * server, a socket nobody listens on, one we may not open. */
static int diagnose(struct pt_audio *a, const char *list, struct pt_error *err)
{
	_cleanup_free_ char *copy = strdup(list);
	if (!copy)
		return pt_error_set(err, ENOMEM, "pulse");
	char *save = NULL;
	free(a->socket);
	a->socket = NULL;
	for (char *s = strtok_r(copy, " \t", &save); s; s = strtok_r(NULL, " \t", &save)) {
		_cleanup_free_ char *path = NULL;
		if (server_socket_path(s, &path) < 0)
			return pt_error_set(err, ENOMEM, "pulse");
		free(a->server);
		if (!(a->server = strdup(s)))
			return pt_error_set(err, ENOMEM, "pulse");
		if (!path) {
			a->state = PT_AUDIO_REMOTE;
			return pt_error_setx(
			    err, EREMOTE,
			    "PulseAudio server %s is reached over TCP and does not "
			    "answer; a TCP server cannot be bound into a container",
			    s);
		}
		int r = probe_socket(path);
		if (r == -ENOENT || r == -ENOTDIR)
			continue;
		free(a->socket);
		a->socket = steal_pointer(&path);
		if (r == -ECONNREFUSED) {
			a->state = PT_AUDIO_STALE;
			return pt_error_setx(
			    err, ECONNREFUSED,
			    "PulseAudio socket %s exists but no server listens on it "
			    "(stale: the server died or was stopped)",
			    a->socket);
		}
		if (r == -EACCES || r == -EPERM) {
			a->state = PT_AUDIO_DENIED;
			return pt_error_set(err, EACCES,
					    "PulseAudio socket %s (owned by another user?)",
					    a->socket);
		}
		a->state = PT_AUDIO_FAILED;
		return pt_error_set(err, r == 0 ? EPROTO : -r,
				    "PulseAudio socket %s: the server does not answer", a->socket);
	}
	free(a->server);
	a->server = NULL;
	a->state = PT_AUDIO_NO_SERVER;
	return pt_error_setx(err, ENOENT,
			     "no PulseAudio server configured or found (looked at: %s)", list);
}

struct pt_audio_options *pt_audio_options_new(void)
{
	return calloc(1, sizeof(struct pt_audio_options));
}

void pt_audio_options_free(struct pt_audio_options *opts)
{
	free(opts);
}

/* client.conf as libpulse reads it, and the cookie it would send. */
static int read_client_setup(struct client_conf *conf, struct pt_audio *a, struct pt_error *err)
{
	int r = client_conf_load(conf, err);
	if (r < 0) {
		pt_error_prefix(err, "client configuration");
		return r;
	}
	return find_cookie(conf, &a->cookie, err);
}

/* A server answered: it can be bound only when it was reached over a socket. */
static int server_answered(struct pt_audio *a, struct pt_error *err)
{
	a->running = true;
	if (a->socket) {
		a->state = PT_AUDIO_RUNNING;
		return 0;
	}
	a->state = PT_AUDIO_REMOTE;
	return pt_error_setx(err, EREMOTE,
			     "pulse: PulseAudio server %s is reached over TCP; a TCP "
			     "server cannot be bound into a container",
			     a->server);
}

/* libpulse's error from a failed connect turned into a state and a message
 * naming the server. */
static int explain_failure(struct pt_audio *a, int e, const char *server, unsigned timeout_ms,
			   const struct client_conf *conf, struct pt_error *err)
{
	if (e == PA_ERR_CONNECTIONREFUSED) {
		_cleanup_free_ char *list = candidates(server, conf);
		return list ? diagnose(a, list, err) : pt_error_set(err, ENOMEM, "pulse");
	}
	if (e == PA_ERR_ACCESS) {
		a->state = PT_AUDIO_DENIED;
		return pt_error_setx(
		    err, EACCES,
		    "PulseAudio server %s refused us: access denied (no cookie, or "
		    "the wrong one%s%s)",
		    a->server ? a->server : "", a->cookie ? "; sent " : "",
		    a->cookie ? a->cookie : "");
	}
	if (e == PA_ERR_TIMEOUT) {
		a->state = PT_AUDIO_FAILED;
		return pt_error_setx(err, ETIMEDOUT,
				     "PulseAudio server %s did not answer within %u ms",
				     a->server ? a->server : "", timeout_ms);
	}
	if (e == PA_ERR_INVALIDSERVER || e == PA_ERR_INVALID) {
		a->state = PT_AUDIO_NO_SERVER;
		return pt_error_setx(err, EINVAL, "invalid PulseAudio server string '%s'",
				     server	 ? server
				     : a->server ? a->server
						 : "");
	}
	a->state = PT_AUDIO_FAILED;
	return pt_error_setx(err, EPROTO, "PulseAudio server %s: %s", a->server ? a->server : "",
			     pa_strerror(e));
}

int pt_audio_find(const struct pt_audio_options *opts, struct pt_audio **ret, struct pt_error *err)
{
	const char *server = opts ? opts->server : NULL;
	unsigned timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	if (!ret)
		return pt_error_setx(err, EINVAL, "pulse: no place for the result");
	*ret = NULL;
	if (server && !*server)
		return pt_error_setx(err, EINVAL, "pulse: empty server string");

	struct pt_audio *a = calloc(1, sizeof(*a));
	if (!a)
		return pt_error_set(err, ENOMEM, "pulse");
	/* Without libpulse no server can be asked: a state to show, like a
	 * server that does not answer, and an error for audio alone. */
	int r = dlopen_pulse(err);
	if (r < 0) {
		a->state = PT_AUDIO_FAILED;
		*ret = a;
		return pt_error_prefix(err, "pulse");
	}
	_cleanup_(client_conf_done) struct client_conf conf = {0};
	r = read_client_setup(&conf, a, err);
	if (r == -ENOMEM) {
		pt_audio_free(a);
		return pt_error_set(err, ENOMEM, "pulse");
	}
	if (r < 0) {
		/* Never handed to libpulse: it would hang on what we refused. */
		a->state = PT_AUDIO_FAILED;
		*ret = a;
		return pt_error_prefix(err, "pulse");
	}

	int e = pulse_connect(server, timeout_ms, a);
	if (e < 0) {
		pt_audio_free(a);
		return pt_error_set(err, -e, "pulse: connect");
	}
	if (a->server && server_socket_path(a->server, &a->socket) < 0) {
		pt_audio_free(a);
		return pt_error_set(err, ENOMEM, "pulse");
	}

	if (e == PA_OK) {
		*ret = a;
		return server_answered(a, err);
	}
	r = explain_failure(a, e, server, timeout_ms, &conf, err);
	if (r == -ENOMEM) {
		pt_audio_free(a);
		return r;
	}
	*ret = a;
	return pt_error_prefix(err, "pulse");
}

/* ---- the plan ---------------------------------------------------------- */

/* The container's own /etc/pulse/client.conf still counts (libpulse skips
 * an .include that does not exist); only autospawn is forced off after it. */
static const char container_client_conf[] =
    "# Written by libpassthru: the host's PulseAudio server is reached through\n"
    "# PULSE_SERVER. Never start a private server inside the container.\n"
    ".include /etc/pulse/client.conf\n"
    "autospawn = no\n";

int pt_audio_add_to_plan(const struct pt_audio *a, struct pt_plan *plan, unsigned flags,
			 struct pt_error *err)
{
	if (!a || !plan)
		return pt_error_setx(err, EINVAL, "pulse: no server or no plan");
	if (!a->running)
		return pt_error_setx(err,
				     a->state == PT_AUDIO_STALE	   ? ECONNREFUSED
				     : a->state == PT_AUDIO_DENIED ? EACCES
				     : a->state == PT_AUDIO_REMOTE ? EREMOTE
				     : a->state == PT_AUDIO_FAILED ? ETIMEDOUT
								   : ENOENT,
				     "pulse: the server is not running (%s)",
				     pt_audio_state_name(a->state));
	if (!a->socket && !(flags & PT_AUDIO_KEEP_REMOTE))
		return pt_error_setx(
		    err, EREMOTE,
		    "pulse: PulseAudio server %s is reached over TCP; a TCP server "
		    "cannot be bound into a container (ask to keep PULSE_SERVER "
		    "to use it over the network)",
		    a->server);

	int r;
	if (a->socket) {
		r = pt_plan_add_bind(plan, a->socket, PT_AUDIO_SOCKET, PT_BIND_RO, err);
		if (r >= 0)
			r = pt_plan_set_env(plan, "PULSE_SERVER", "unix:" PT_AUDIO_SOCKET, err);
	} else {
		r = pt_plan_set_env(plan, "PULSE_SERVER", a->server, err);
	}
	if (r >= 0)
		r = pt_plan_add_file(plan, PT_AUDIO_CLIENT_CONF, container_client_conf,
				     sizeof(container_client_conf) - 1, 0644, err);
	if (r >= 0)
		r = pt_plan_set_env(plan, "PULSE_CLIENTCONFIG", PT_AUDIO_CLIENT_CONF, err);
	if (r < 0)
		return pt_error_prefix(err, "pulse");
	if (!a->cookie)
		return 0;

	/* A cookie is 256 bytes; anything far larger is not one. */
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	r = read_file_at(AT_FDCWD, a->cookie, COOKIE_MAX, 0, &data, &len, err);
	if (r < 0)
		return pt_error_prefix(err, "pulse: cookie");
	/* 0644: the container's user, whatever its uid, must read it; on the
	 * host it lives in the launcher's private (0700) state directory. */
	r = pt_plan_add_file(plan, PT_AUDIO_COOKIE, data, len, 0644, err);
	if (r >= 0)
		r = pt_plan_set_env(plan, "PULSE_COOKIE", PT_AUDIO_COOKIE, err);
	if (r < 0)
		return pt_error_prefix(err, "pulse");
	return 0;
}

int pt_pulse_add_to_plan(struct pt_plan *plan, unsigned flags, struct pt_error *err)
{
	struct pt_audio *a = NULL;
	int r = pt_audio_find(NULL, &a, err);
	if (r == -EREMOTE && (flags & PT_AUDIO_KEEP_REMOTE) && a && a->running)
		r = 0;
	if (r == 0)
		r = pt_audio_add_to_plan(a, plan, flags, err);
	pt_audio_free(a);
	return r;
}
