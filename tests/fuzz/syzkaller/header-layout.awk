# SPDX-License-Identifier: MIT
#
# Reads uapi/linux/amdxsched.h and writes the C function print_header(),
# which prints what the compiler makes of the header:
#
#   struct <name> <size> <alignment>
#   field <struct> <field> <offset> <size> <dims> <element>
#   ioctl <macro> <in|out|inout|none> <struct or -> <number>
#
# <dims> is "-" for a scalar or the array bounds, outermost first ("8x4x2");
# <element> is intN for an integer of N bits or struct:<name>. This extends
# tests/unit/gen-abi-layout.awk with array bounds, element types and the
# ioctls, for check.sh to compare with the syzkaller description.
#
# Anything inside a struct that is not a plain field declaration, and any
# AMDXSCHED_IOC_* macro that is not an _IO* number, is an error: a new kind
# of declaration must be taught here rather than skipped.

function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	failed = 1
}

# Drop /* */ comments, also across lines (in_comment carries over).
function strip_comments(s,    out, i) {
	out = ""
	while (s != "") {
		if (in_comment) {
			i = index(s, "*/")
			if (!i)
				return out
			s = substr(s, i + 2)
			in_comment = 0
		} else {
			i = index(s, "/*")
			if (!i)
				return out s
			out = out substr(s, 1, i - 1)
			s = substr(s, i + 2)
			in_comment = 1
		}
	}
	return out
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# One field declaration: "<type> <name>[<dim>]...;"
function field(sname, decl,    type, rest, fname, dims, dim, i, code) {
	if (match(decl, /^struct[ \t]+[a-z0-9_]+[ \t]+/)) {
		type = trim(substr(decl, 1, RLENGTH))
		sub(/[ \t]+/, " ", type)
	} else if (match(decl, /^(__[us](8|16|32|64)|char)[ \t]+/)) {
		type = trim(substr(decl, 1, RLENGTH))
	} else {
		fail("cannot parse this field of struct " sname ": " decl)
		return
	}
	rest = substr(decl, RLENGTH + 1)
	if (!match(rest, /^[a-z_][a-z0-9_]*/)) {
		fail("no field name in: " decl)
		return
	}
	fname = substr(rest, 1, RLENGTH)
	rest = substr(rest, RLENGTH + 1)
	dims = ""
	while (match(rest, /^\[[^]]+\]/)) {
		dim = substr(rest, 2, RLENGTH - 2)
		dims = dims (dims == "" ? "" : "\tprintf(\"x\");\n") \
		       "\tprintf(\"%lu\", (unsigned long)(" dim "));\n"
		rest = substr(rest, RLENGTH + 1)
	}
	if (rest != ";") {
		fail("cannot parse this field of struct " sname " (bit-field or several declarators?): " decl)
		return
	}
	code = "\tprintf(\"field " sname " " fname " %zu %zu \", offsetof(struct " sname ", " fname \
	       "), sizeof(((struct " sname " *)0)->" fname "));\n"
	code = code (dims == "" ? "\tprintf(\"-\");\n" : dims)
	if (type ~ /^struct /)
		code = code "\tprintf(\" struct:" substr(type, 8) "\\n\");\n"
	else
		code = code "\tprintf(\" int%zu\\n\", 8 * sizeof(" type "));\n"
	body = body code
	nfields++
}

BEGIN {
	body = ""
}

{
	line = $0
	# Join a #define's continuation lines.
	while (line ~ /\\$/ && (getline next_line) > 0) {
		sub(/\\$/, " ", line)
		line = line next_line
	}
	line = strip_comments(line)

	if (sname != "") {
		if (line ~ /^\};/) {
			sname = ""
			next
		}
		line = trim(line)
		if (line != "")
			field(sname, line)
		next
	}

	if (match(line, /^struct amdxsched_[a-z0-9_]+[ \t]*\{[ \t]*$/)) {
		sname = line
		sub(/^struct[ \t]+/, "", sname)
		sub(/[ \t]*\{.*/, "", sname)
		body = body "\tprintf(\"struct " sname " %zu %zu\\n\", sizeof(struct " sname \
		       "), _Alignof(struct " sname "));\n"
		nstructs++
		next
	}

	if (match(line, /^#[ \t]*define[ \t]+AMDXSCHED_IOC_[A-Z0-9_]+/)) {
		split(line, w, /[ \t]+/)
		name = w[2]
		if (w[1] == "#")
			name = w[3]
		if (name == "AMDXSCHED_IOC_MAGIC")
			next
		rest = line
		sub(/^#[ \t]*define[ \t]+AMDXSCHED_IOC_[A-Z0-9_]+[ \t]+/, "", rest)
		rest = trim(rest)
		if (match(rest, /^_IO(WR|R|W)?\(/)) {
			kind = substr(rest, 1, RLENGTH - 1)
			dir = kind == "_IOWR" ? "inout" : kind == "_IOR" ? "out" : kind == "_IOW" ? "in" : "none"
			arg = "-"
			if (match(rest, /struct[ \t]+[a-z0-9_]+[ \t]*\)$/)) {
				arg = substr(rest, RSTART, RLENGTH)
				sub(/^struct[ \t]+/, "", arg)
				sub(/[ \t]*\)$/, "", arg)
			} else if (dir != "none") {
				fail(name ": cannot find the argument struct in: " rest)
			}
			body = body "\tprintf(\"ioctl " name " " dir " " arg " %lu\\n\", (unsigned long)(" name "));\n"
			nioctls++
		} else {
			fail(name ": not an _IO/_IOR/_IOW/_IOWR number: " rest)
		}
	}
}

END {
	if (sname != "")
		fail("struct " sname " does not end")
	# A header this parser no longer understands must not pass as empty.
	if (nstructs < 20 || nfields < 150 || nioctls < 18)
		fail("only " nstructs + 0 " structs, " nfields + 0 " fields and " nioctls + 0 \
		     " ioctls found: has the header's layout changed?")
	if (failed)
		exit 1
	print "static void print_header(void)"
	print "{"
	printf "%s", body
	print "}"
}
