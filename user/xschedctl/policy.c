// SPDX-License-Identifier: MIT
/* xschedctl policy: ask xschedd over its control socket. */
#include "xschedctl.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *const policies[] = { "priority", "bandwidth", "edf", "llf", "spatial" };

/* "key=value" or "key = value" lines as one JSON object of strings. */
static void kv_json(char *text)
{
	char *line, *save = NULL, *eq, *k, *v, *e;
	struct jw w;

	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		k = line;
		v = eq + 1;
		for (e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		jw_str(&w, k, v);
	}
	jw_obj_end(&w);
	jw_end(&w);
}

static int ask(const struct xc *c, const char *req, bool kv)
{
	char *resp;
	int r = xc_daemon_ask(c, req, &resp);

	if (r)
		return r;
	if (!c->json)
		fputs(resp, stdout);
	else if (kv)
		kv_json(resp);
	else
		printf("{\"result\":\"%s\"}\n", strncmp(resp, "ok", 2) ? "unknown" : "ok");
	free(resp);
	return XC_OK;
}

static int known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (!strcmp(name, policies[i]))
			return 1;
	return 0;
}

int xc_policy(struct xc *c, int argc, char **argv)
{
	char req[64];
	int o;

	while ((o = xc_getopt(argc, argv, "", NULL)) != -1)
		return XC_USAGE;
	argc -= optind;
	argv += optind;
	if (!argc || (argc == 1 && !strcmp(argv[0], "show")))
		return ask(c, "policy", true);
	if (argc == 1 && !strcmp(argv[0], "status"))
		return ask(c, "status", true);
	if (argc == 1 && !strcmp(argv[0], "reload"))
		return ask(c, "reload", false);
	if (argc == 2 && !strcmp(argv[0], "set")) {
		if (!known(argv[1]))
			return xc_usage("policy set '%s': not one of priority, bandwidth, edf, "
					"llf, spatial", argv[1]);
		snprintf(req, sizeof(req), "policy set %s", argv[1]);
		return ask(c, req, false);
	}
	if (argc >= 1 && !strcmp(argv[0], "set"))
		return xc_usage("policy set: needs exactly one NAME");
	return xc_usage("policy: unknown subcommand '%s' (show, set, status, reload)", argv[0]);
}
