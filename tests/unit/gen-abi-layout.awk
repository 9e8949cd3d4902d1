# SPDX-License-Identifier: MIT
#
# Reads uapi/linux/amdxsched.h and writes a C program that prints the size of
# every ABI struct and the offset and size of each of its fields. Built for
# i386 and x86_64, the two outputs must be identical (tests/unit/Makefile).

BEGIN {
	print "/* Generated from uapi/linux/amdxsched.h by gen-abi-layout.awk. */"
	print "#include <stddef.h>"
	print "#include <stdio.h>"
	print "#include <linux/amdxsched.h>"
	print "#define FIELD(s, f) printf(\"%s.%s %zu %zu\\n\", #s, #f, offsetof(struct s, f), sizeof(((struct s *)0)->f))"
	print "#define SIZE(s) printf(\"%s %zu\\n\", #s, sizeof(struct s))"
	print "int main(void)"
	print "{"
}

/^struct amdxsched_[a-z0-9_]+ \{/ {
	name = $2
	print "\tSIZE(" name ");"
	next
}

/^\};/ { name = "" }

name != "" {
	line = $0
	sub(/\/\*.*/, "", line)
	if (match(line, /^\t(struct [a-z0-9_]+|__[us][0-9]+|char)[ \t]+[a-z0-9_]+/)) {
		decl = substr(line, RSTART, RLENGTH)
		n = split(decl, w, /[ \t]+/)
		print "\tFIELD(" name ", " w[n] ");"
		fields++
	}
}

END {
	print "\treturn 0;"
	print "}"
	if (fields < 150) {
		print "gen-abi-layout.awk: only " fields " fields found" > "/dev/stderr"
		exit 1
	}
}
