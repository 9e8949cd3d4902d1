# SPDX-License-Identifier: MIT
#
# Reads a syzkaller description (syzlang) and lays out its structs the way
# syzkaller does for amd64, for check.sh to compare with the C header.
#
#   awk -v mode=names -f syz-layout.awk amdxsched.txt
#     prints what the description needs from C headers (reporting nothing):
#       include <path>             its include lines
#       const <name>               every constant it names, and __NR_<call>
#       define <name> <C expr>     its define lines
#
#   awk -v mode=layout -v consts=<file> -f syz-layout.awk amdxsched.txt
#     with the constants' values (lines "NAME = amd64:VALUE"), prints:
#       struct <name> <header struct> <size> <alignment>
#       field <struct> <field> <offset> <size> <dims> <element>
#       ioctl <call> <cmd const> <pointer direction> <arg struct>
#     and reports what is wrong with the description on stderr (exit 1).
#
# <dims> and <element> are as in header-layout.awk. A struct named after a
# header struct describes it; "name$variant" is a variant of struct name.
#
# Only the syzlang this description uses is implemented: intN[be] (with a
# range, flags or value), intptr, const, flags, len, bytesizeN, bitsize,
# ptr, ptr64, array, string, resources (fd, pid and uid from syzkaller's
# sys/linux/sys.txt are int32), structs with natural alignment or [packed],
# field directions, include, define, resource, flags and string flags,
# meta. Anything else is an error, so that it gets taught here instead of
# being laid out wrongly. It also rejects what syzkaller's compiler would
# reject and is easy to see here: trailing comments, comments that look like
# directives, unknown or unused types and flags, bad len targets.

# Problems are reported in layout mode only, so that names mode still
# lists what it can and check.sh goes on to report everything at once.
function fail(line, msg) {
	if (mode == "layout")
		printf "%s:%d: %s\n", FILENAME, line, msg > "/dev/stderr"
	failed = 1
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

function align_up(n, a) {
	return a > 1 ? int((n + a - 1) / a) * a : n
}

# Split "a, b[c, d], e" at top-level commas into out[1..n]; returns n.
function split_args(s, out,    n, depth, i, c, cur, inq) {
	n = 0
	depth = 0
	inq = 0
	cur = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\"")
			inq = !inq
		if (!inq && c == "[")
			depth++
		if (!inq && c == "]")
			depth--
		if (!inq && depth == 0 && c == ",") {
			out[++n] = trim(cur)
			cur = ""
		} else {
			cur = cur c
		}
	}
	if (trim(cur) != "" || n > 0)
		out[++n] = trim(cur)
	return n
}

# "name[args]" -> T_name and T_args ("" when there are none).
function split_type(t) {
	t = trim(t)
	if (match(t, /^[A-Za-z_][A-Za-z0-9_$]*/)) {
		T_name = substr(t, 1, RLENGTH)
		t = substr(t, RLENGTH + 1)
	} else {
		T_name = ""
		return
	}
	T_args = ""
	if (t == "")
		return
	if (substr(t, 1, 1) == "[" && substr(t, length(t), 1) == "]")
		T_args = substr(t, 2, length(t) - 2)
	else
		T_name = ""
}

function is_number(s) {
	return s ~ /^-?(0x[0-9a-fA-F]+|[0-9]+)$/
}

function number(s,    neg, v, i, c) {
	neg = 0
	if (substr(s, 1, 1) == "-") {
		neg = 1
		s = substr(s, 2)
	}
	if (s ~ /^0x/) {
		v = 0
		for (i = 3; i <= length(s); i++) {
			c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
			v = v * 16 + c
		}
	} else {
		v = s + 0
	}
	return neg ? -v : v
}

# A constant as used for a size, or a range, value or flag: remember the
# name; in layout mode also return its value.
function const_value(s, line) {
	s = trim(s)
	if (is_number(s))
		return number(s)
	if (s !~ /^[A-Za-z_][A-Za-z0-9_]*$/) {
		fail(line, "not a constant: " s)
		return 0
	}
	used_const[s] = 1
	if (mode == "layout") {
		if (!(s in value)) {
			fail(line, s " has no value (not in the header?)")
			return 0
		}
		return value[s]
	}
	return 0
}

function int_bits(name) {
	if (name ~ /^int(8|16|32|64)(be)?$/) {
		sub(/^int/, "", name)
		sub(/be$/, "", name)
		return name + 0
	}
	if (name == "intptr")
		return 64
	return 0
}

# The size in bytes of an integer base type given as a type argument; in
# call arguments a missing base is intptr.
function base_size(arg, ctx, line, what,    b) {
	arg = trim(arg)
	if (arg == "") {
		if (ctx == "arg")
			return 8
		fail(line, what " needs a base type (intN) outside call arguments")
		return 0
	}
	b = int_bits(arg)
	if (!b) {
		fail(line, what ": bad base type " arg)
		return 0
	}
	return b / 8
}

function set_scalar(bytes) {
	W_size = bytes
	W_align = bytes
	W_varlen = 0
	W_dims = "-"
	W_elem = "int" bytes * 8
}

function set_varlen() {
	W_size = 0
	W_align = 1
	W_varlen = 1
	W_dims = "-"
	W_elem = "-"
}

function header_name(s) {
	sub(/\$.*/, "", s)
	return s
}

# Lay out type t, used in context ctx ("field" of struct sname, call "arg",
# or "pointee"/"element"), into W_size, W_align, W_varlen, W_dims, W_elem.
# In names mode only the constants and referenced types are collected.
function walk(t, ctx, sname, line,    a, n, name, args, sz, dims, elem, al, i, k, r) {
	split_type(t)
	name = T_name
	args = T_args
	if (name == "") {
		fail(line, "cannot parse type: " t)
		set_scalar(0)
		return
	}
	n = split_args(args, a)

	if (int_bits(name)) {
		# intN, intN[lo:hi], intN[flags], intN[value]
		if (n > 1)
			fail(line, name ": alignment argument not supported here: " t)
		if (n >= 1) {
			k = split(a[1], r, ":")
			for (i = 1; i <= k; i++) {
				if (trim(r[i]) in flag_line)
					flag_used[trim(r[i])] = 1
				else
					const_value(r[i], line)
			}
		}
		set_scalar(int_bits(name) / 8)
		return
	}
	if (name == "const") {
		if (n < 1 || n > 2)
			fail(line, "const takes a value and a base type: " t)
		const_value(a[1], line)
		set_scalar(base_size(n > 1 ? a[2] : "", ctx, line, t))
		return
	}
	if (name == "flags") {
		if (!(trim(a[1]) in flag_line) || (trim(a[1]) in strflag_line))
			fail(line, "unknown flags " a[1])
		flag_used[trim(a[1])] = 1
		set_scalar(base_size(n > 1 ? a[2] : "", ctx, line, t))
		return
	}
	if (name ~ /^(len|bytesize|bytesize2|bytesize4|bytesize8|bitsize)$/) {
		k = trim(a[1])
		if (k ~ /:/)
			fail(line, name ": path expressions are not supported here: " t)
		else if (ctx == "field" && k != "parent" && !((sname SUBSEP k) in field_line) &&
			 !(k in struct_line))
			fail(line, name ": " k " is not a field of " sname)
		else if (ctx == "arg" && !((call_now SUBSEP k) in arg_line))
			fail(line, name ": " k " is not an argument of " call_now)
		set_scalar(base_size(n > 1 ? a[2] : "", ctx, line, t))
		return
	}
	if (name == "ptr" || name == "ptr64") {
		if (n < 2 || n > 3 || a[1] !~ /^(in|out|inout)$/ || (n == 3 && a[3] != "opt"))
			fail(line, name " takes a direction, a type and opt: " t)
		walk(a[2], "pointee", sname, line)
		set_scalar(8)
		return
	}
	if (name == "array") {
		walk(a[1], "element", sname, line)
		sz = W_size
		al = W_align
		dims = W_dims
		elem = W_elem
		if (W_varlen) {
			set_varlen()
			return
		}
		if (n < 2 || a[2] ~ /:/) {
			if (n >= 2) {
				k = split(a[2], r, ":")
				const_value(r[1], line)
				const_value(r[2], line)
			}
			set_varlen()
			return
		}
		k = const_value(a[2], line)
		W_size = sz * k
		W_align = al
		W_varlen = 0
		W_dims = k (dims == "-" ? "" : "x" dims)
		W_elem = elem
		return
	}
	if (name == "string") {
		k = trim(a[1])
		if (k !~ /^"/) {
			if (!(k in strflag_line))
				fail(line, "unknown string flags " k)
			flag_used[k] = 1
		}
		if (n < 2) {
			set_varlen()
			return
		}
		k = const_value(a[2], line)
		W_size = k
		W_align = 1
		W_varlen = 0
		W_dims = k
		W_elem = "int8"
		return
	}
	if (n > 0) {
		fail(line, "unsupported type: " t)
		set_scalar(0)
		return
	}
	if (name in res_base) {
		res_used[name] = 1
		# A resource is laid out as its base type, down to an int.
		k = name
		for (i = 0; i < 10 && (k in res_base); i++)
			k = res_base[k]
		if (!int_bits(k)) {
			fail(line, "resource " name " has no integer base")
			set_scalar(0)
		} else {
			set_scalar(int_bits(k) / 8)
		}
		return
	}
	if (name in struct_line) {
		struct_used[name] = 1
		layout(name)
		W_size = S_size[name]
		W_align = S_align[name]
		W_varlen = 0
		W_dims = "-"
		W_elem = "struct:" header_name(name)
		return
	}
	fail(line, "unknown type " name)
	set_scalar(0)
}

# Lay out struct s once, like a C compiler: each field at the next multiple
# of its alignment, the struct padded to a multiple of the largest one.
function layout(s,    i, off, al, maxal, fname) {
	if (s in S_size)
		return
	if (s in laying_out) {
		fail(struct_line[s], "struct " s " contains itself")
		S_size[s] = 0
		S_align[s] = 1
		return
	}
	laying_out[s] = 1
	off = 0
	maxal = 1
	for (i = 1; i <= nf[s]; i++) {
		fname = fld_name[s, i]
		walk(fld_type[s, i], "field", s, fld_line[s, i])
		if (W_varlen) {
			fail(fld_line[s, i], s "." fname ": variable-size fields are not supported here")
			W_size = 0
		}
		al = packed[s] ? 1 : W_align
		off = align_up(off, al)
		if (al > maxal)
			maxal = al
		if (mode == "layout")
			out_fields = out_fields sprintf("field %s %s %d %d %s %s\n",
							s, fname, off, W_size, W_dims, W_elem)
		off += W_size
	}
	S_size[s] = align_up(off, maxal)
	S_align[s] = maxal
	delete laying_out[s]
}

function parse_field(s, text, line,    fname, rest, attrs, i, n, a) {
	if (!match(text, /^[a-z_][a-z0-9_]*[ \t]+/)) {
		fail(line, "cannot parse field: " text)
		return
	}
	fname = trim(substr(text, 1, RLENGTH))
	rest = substr(text, RLENGTH + 1)
	attrs = ""
	i = index(rest, "(")
	if (i) {
		attrs = substr(rest, i)
		rest = substr(rest, 1, i - 1)
		if (attrs !~ /^\([a-z_, ]*\)[ \t]*$/) {
			fail(line, fname ": unsupported field attributes " attrs)
		} else {
			gsub(/[()]/, "", attrs)
			n = split(attrs, a, /[ ,]+/)
			for (i = 1; i <= n; i++)
				if (a[i] != "" && a[i] !~ /^(in|out|inout)$/)
					fail(line, fname ": unsupported field attribute " a[i])
		}
	}
	if ((s SUBSEP fname) in field_line)
		fail(line, "duplicate field " fname " in " s)
	field_line[s, fname] = line
	nf[s]++
	fld_name[s, nf[s]] = fname
	fld_type[s, nf[s]] = trim(rest)
	fld_line[s, nf[s]] = line
}

# A comment after code (outside quotes) is an error; returns the code.
function check_trailing_comment(text, line,    i, c, inq) {
	inq = 0
	for (i = 1; i <= length(text); i++) {
		c = substr(text, i, 1)
		if (c == "\"")
			inq = !inq
		else if (c == "#" && !inq) {
			fail(line, "comment after code: syzkaller's parser takes only whole-line comments")
			return substr(text, 1, i - 1)
		}
	}
	return text
}

BEGIN {
	if (mode != "names" && mode != "layout") {
		print "syz-layout.awk: set mode=names or mode=layout" > "/dev/stderr"
		exit 2
	}
	if (mode == "layout") {
		while ((getline l < consts) > 0) {
			# NAME = amd64:VALUE
			if (l ~ /^#/ || l ~ /^arches/)
				continue
			split(l, w, /[ \t]*=[ \t]*/)
			v = w[2]
			sub(/^amd64:/, "", v)
			if (is_number(v))
				value[w[1]] = number(v)
		}
		close(consts)
	}
	# Resources of syzkaller's sys/linux/sys.txt this description uses.
	res_base["fd"] = "int32"
	res_base["pid"] = "int32"
	res_base["uid"] = "int32"
	external["fd"] = external["pid"] = external["uid"] = 1
}

{
	text = $0
	if (text ~ /^[ \t]*#/) {
		c = text
		sub(/^[ \t]*#/, "", c)
		# syzkaller's compiler rejects such comments as faked directives.
		if (c ~ /^[ \t]*(include|incdir|define)/)
			fail(FNR, "comment looks like a directive: " text)
		next
	}
	if (text ~ /^[ \t]*$/)
		next
	text = check_trailing_comment(text, FNR)

	if (cur != "") {
		if (text ~ /^\}/) {
			attr = trim(substr(text, 2))
			if (attr == "[packed]")
				packed[cur] = 1
			else if (attr != "")
				fail(FNR, cur ": unsupported struct attributes " attr)
			cur = ""
		} else {
			parse_field(cur, trim(text), FNR)
		}
		next
	}

	if (text ~ /^include[ \t]+</) {
		inc = trim(substr(text, 8))
		includes = includes "include " inc "\n"
		next
	}
	if (text ~ /^meta[ \t]/)
		next
	if (text ~ /^define[ \t]/) {
		split(trim(substr(text, 7)), w, /[ \t]+/)
		name = w[1]
		expr = trim(substr(trim(substr(text, 7)), length(name) + 1))
		if (name in define_expr)
			fail(FNR, "duplicate define " name)
		define_expr[name] = expr
		define_list = define_list "define " name " " expr "\n"
		used_const[name] = 1
		next
	}
	if (text ~ /^resource[ \t]/) {
		r = trim(substr(text, 9))
		if (!match(r, /^[A-Za-z_][A-Za-z0-9_]*\[[A-Za-z0-9_]+\]/)) {
			fail(FNR, "cannot parse resource: " text)
			next
		}
		name = substr(r, 1, index(r, "[") - 1)
		base = substr(r, index(r, "[") + 1, RLENGTH - index(r, "[") - 1)
		res_base[name] = base
		res_line[name] = FNR
		rest = trim(substr(r, RLENGTH + 1))
		if (rest != "") {
			if (substr(rest, 1, 1) != ":")
				fail(FNR, "cannot parse resource: " text)
			n = split(substr(rest, 2), w, ",")
			for (i = 1; i <= n; i++)
				const_value(w[i], FNR)
		}
		next
	}
	if (text ~ /^(type|incdir)[ \t]/) {
		fail(FNR, "not supported by this checker: " text)
		next
	}
	if (match(text, /^[A-Za-z_][A-Za-z0-9_$]*[ \t]*=/)) {
		name = trim(substr(text, 1, RLENGTH - 1))
		vals = substr(text, RLENGTH + 1)
		if (name in flag_line)
			fail(FNR, "flags " name " redeclared")
		flag_line[name] = FNR
		if (trim(vals) ~ /^"/)
			strflag_line[name] = FNR
		else
			flag_vals[name] = vals
		next
	}
	if (match(text, /^[A-Za-z_][A-Za-z0-9_$]*\(/)) {
		ncalls++
		call_text[ncalls] = text
		call_line_no[ncalls] = FNR
		next
	}
	if (match(text, /^[A-Za-z_][A-Za-z0-9_$]*[ \t]*\{[ \t]*$/)) {
		cur = trim(substr(text, 1, index(text, "{") - 1))
		if (cur in struct_line)
			fail(FNR, "struct " cur " redeclared")
		struct_line[cur] = FNR
		struct_order[++nstructs] = cur
		next
	}
	if (match(text, /^[A-Za-z_][A-Za-z0-9_$]*[ \t]*\[[ \t]*$/)) {
		fail(FNR, "unions are not supported by this checker: " text)
		next
	}
	fail(FNR, "cannot parse: " text)
}

END {
	if (cur != "")
		fail(struct_line[cur], "struct " cur " does not end")
	if (index(includes, "include <uapi/linux/amdxsched.h>\n") == 0)
		fail(1, "no include <uapi/linux/amdxsched.h>")

	# Flag values are constants too.
	for (name in flag_vals) {
		n = split(flag_vals[name], w, ",")
		for (i = 1; i <= n; i++)
			const_value(w[i], flag_line[name])
	}

	# Calls: name(arg type, ...) [return type]
	for (c = 1; c <= ncalls; c++) {
		text = call_text[c]
		line = call_line_no[c]
		call_now = substr(text, 1, index(text, "(") - 1)
		body = substr(text, index(text, "(") + 1)
		close_paren = 0
		depth = 0
		for (i = 1; i <= length(body); i++) {
			ch = substr(body, i, 1)
			if (ch == "[")
				depth++
			else if (ch == "]")
				depth--
			else if (ch == ")" && depth == 0) {
				close_paren = i
				break
			}
		}
		if (!close_paren) {
			fail(line, "cannot parse call: " text)
			continue
		}
		ret = trim(substr(body, close_paren + 1))
		n = split_args(substr(body, 1, close_paren - 1), args)
		for (i = 1; i <= n; i++) {
			split(args[i], w, /[ \t]+/)
			arg_name[i] = w[1]
			arg_type[i] = trim(substr(args[i], length(w[1]) + 1))
			arg_line[call_now, w[1]] = line
		}
		for (i = 1; i <= n; i++)
			walk(arg_type[i], "arg", "", line)
		if (ret != "")
			walk(ret, "arg", "", line)
		base = call_now
		sub(/\$.*/, "", base)
		# syz-extract adds the syscall number of every call.
		used_const["__NR_" base] = 1
		if (base == "ioctl") {
			cmd = ""
			dir = ""
			argst = ""
			for (i = 1; i <= n; i++) {
				if (arg_name[i] == "cmd" && match(arg_type[i], /^const\[[A-Za-z0-9_]+\]$/))
					cmd = substr(arg_type[i], 7, length(arg_type[i]) - 7)
				if (arg_name[i] == "arg") {
					split_type(arg_type[i])
					k = split_args(T_args, w)
					if ((T_name == "ptr" || T_name == "ptr64") && k >= 2) {
						dir = w[1]
						argst = w[2]
					}
				}
			}
			if (cmd == "" || argst == "") {
				fail(line, call_now ": needs cmd const[<macro>] and arg ptr[<dir>, <struct>]")
			} else {
				if (call_now != "ioctl$" cmd && index(call_now, "ioctl$" cmd "$") != 1)
					fail(line, call_now ": name it ioctl$" cmd " (its cmd)")
				if (!(argst in struct_line))
					fail(line, call_now ": arg is not a struct: " argst)
				arg_struct[argst] = line
				ioctls = ioctls sprintf("ioctl %s %s %s %s\n", call_now, cmd, dir, argst)
			}
		}
		for (i = 1; i <= n; i++)
			delete arg_name[i]
	}

	# Every struct, used or not, is laid out and so checked.
	for (i = 1; i <= nstructs; i++)
		layout(struct_order[i])

	for (name in struct_line)
		if (!(name in struct_used) && !(name in arg_struct))
			fail(struct_line[name], "unused struct " name)
	for (name in flag_line)
		if (!(name in flag_used))
			fail(flag_line[name], "unused flags " name)
	for (name in res_line)
		if (!(name in res_used))
			fail(res_line[name], "unused resource " name)

	if (mode == "layout") {
		for (s in arg_struct) {
			# The extensible-struct rule: a u32 size first, equal to the
			# struct's size (len of the parent, or that size as a const).
			t = fld_type[s, 1]
			k = substr(t, 7, index(t, ",") - 7)
			if (fld_name[s, 1] != "size" ||
			    t !~ /^(len|bytesize)\[parent, int32\]$/ && t !~ /^const\[[A-Za-z0-9_]+, int32\]$/)
				fail(arg_struct[s], s ": the first field must be size len[parent, int32]")
			else if (t ~ /^const/ && const_value(k, fld_line[s, 1]) != S_size[s])
				fail(fld_line[s, 1], s ": size is " k " but the struct has " S_size[s] " bytes")
		}
		# A list's entry_size must be the size of the entries it points to.
		for (s in struct_line) {
			es = ""
			el = ""
			for (i = 1; i <= nf[s]; i++) {
				if (fld_name[s, i] == "entry_size")
					es = fld_type[s, i]
				if (fld_name[s, i] == "entries" && match(fld_type[s, i], /array\[[A-Za-z0-9_$]+/))
					el = substr(fld_type[s, i], RSTART + 6, RLENGTH - 6)
			}
			if (es == "")
				continue
			if (es !~ /^const\[[A-Za-z0-9_]+, int32\]$/ || !(el in S_size)) {
				fail(struct_line[s], s ": entry_size must be const[<size>, int32] " \
				     "beside entries ptr64[out, array[<struct>]]")
				continue
			}
			k = const_value(substr(es, 7, index(es, ",") - 7), struct_line[s])
			if (k != S_size[el])
				fail(struct_line[s], s ": entry_size is " k " but " el " has " S_size[el] " bytes")
		}
	}

	if (mode == "names") {
		printf "%s", includes
		for (name in used_const)
			if (!(name in define_expr))
				print "const " name
		printf "%s", define_list
	} else {
		for (i = 1; i <= nstructs; i++) {
			s = struct_order[i]
			printf "struct %s %s %d %d\n", s, header_name(s), S_size[s], S_align[s]
		}
		printf "%s", out_fields
		printf "%s", ioctls
	}
	# The listing is printed anyway: check.sh compares what there is.
	if (failed && mode == "layout")
		exit 1
}
