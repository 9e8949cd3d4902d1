// SPDX-License-Identifier: MIT
/*
 * Unit tests of xschedd's log lines (user/xschedd/log.c): logfmt on stderr,
 * control characters escaped so that a value cannot start another record,
 * and, when stderr is the journal stream JOURNAL_STREAM names, each line
 * prefixed with its syslog priority (<3> for an error) for journald.
 * Each case runs in a child: the journal check is made once per process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

#include "kselftest_harness.h"

enum stream { PLAIN, JOURNAL, OTHER_JOURNAL };

/* What one xsd_log() of @level writes with stderr set up as @how. */
static void logged(struct __test_metadata *_metadata, enum stream how, enum xsd_level level,
		   const char *msg, const char *value, char *out, size_t len)
{
	char path[] = "/tmp/axs-test-log-XXXXXX";
	int fd = mkstemp(path), status;
	struct stat st;
	pid_t pid;
	FILE *f;
	size_t n;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char js[64];

		unsetenv("JOURNAL_STREAM");
		if (how != PLAIN) {
			snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
				 (unsigned long long)st.st_ino + (how == OTHER_JOURNAL));
			setenv("JOURNAL_STREAM", js, 1);
		}
		if (dup2(fd, STDERR_FILENO) < 0)
			_exit(1);
		xsd_log_verbose = true;
		xsd_log(level, msg, "value=\"%s\" n=%d", value, 7);
		fflush(stderr);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	f = fdopen(fd, "r");
	ASSERT_NE(NULL, f);
	rewind(f);
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(path);
}

TEST(plain_lines_are_logfmt)
{
	char out[256];

	logged(_metadata, PLAIN, XSD_ERR, "cannot start", "x", out, sizeof(out));
	EXPECT_STREQ("level=error msg=\"cannot start\" value=\"x\" n=7\n", out);
}

TEST(journal_lines_carry_their_priority)
{
	static const struct {
		enum xsd_level level;
		const char *want;
	} c[] = {
		{ XSD_ERR, "<3>level=error msg=\"m\" value=\"v\" n=7\n" },
		{ XSD_WARN, "<4>level=warn msg=\"m\" value=\"v\" n=7\n" },
		{ XSD_INFO, "<6>level=info msg=\"m\" value=\"v\" n=7\n" },
		{ XSD_DEBUG, "<7>level=debug msg=\"m\" value=\"v\" n=7\n" },
	};
	char out[256];

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		logged(_metadata, JOURNAL, c[i].level, "m", "v", out, sizeof(out));
		EXPECT_STREQ(c[i].want, out);
	}
}

TEST(another_journal_stream_gets_no_prefix)
{
	char out[256];

	logged(_metadata, OTHER_JOURNAL, XSD_ERR, "m", "v", out, sizeof(out));
	EXPECT_STREQ("level=error msg=\"m\" value=\"v\" n=7\n", out);
}

TEST(control_characters_cannot_start_a_record)
{
	char out[256];

	logged(_metadata, JOURNAL, XSD_WARN, "two\nlines", "a\nlevel=error msg=\"forged\"\r\t\x7f",
	       out, sizeof(out));
	EXPECT_STREQ("<4>level=warn msg=\"two\\nlines\" value=\"a\\nlevel=error msg=\"forged\"\\r"
		     "\\x09\\x7f\" n=7\n", out);
	EXPECT_EQ(out + strlen(out) - 1, strchr(out, '\n'));	/* one line */
}

TEST_HARNESS_MAIN
