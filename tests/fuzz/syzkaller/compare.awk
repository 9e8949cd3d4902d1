# SPDX-License-Identifier: MIT
#
# Compares the description with the header:
#
#   awk -f compare.awk <header listing> <description listing> <.const file>
#
# The header listing comes from header-layout.awk's program, the description
# listing from syz-layout.awk (mode=layout), the .const file is the one
# checked in next to the description. Prints one line per mismatch and
# exits 1 if there is any.

function fail(msg) {
	print "mismatch: " msg > "/dev/stderr"
	failed = 1
}

FILENAME == ARGV[1] && $1 == "struct" {
	h_size[$2] = $3
	h_align[$2] = $4
	h_nf[$2] = 0
	next
}
FILENAME == ARGV[1] && $1 == "field" {
	n = ++h_nf[$2]
	h_field[$2, n] = $3
	h_desc[$2, n] = $4 " " $5 " " $6 " " $7
	next
}
FILENAME == ARGV[1] && $1 == "ioctl" {
	h_ioctl_dir[$2] = $3
	h_ioctl_arg[$2] = $4
	h_ioctl_nr[$2] = $5
	next
}

FILENAME == ARGV[2] && $1 == "struct" {
	s_base[$2] = $3
	s_size[$2] = $4
	s_align[$2] = $5
	s_order[++ns] = $2
	next
}
FILENAME == ARGV[2] && $1 == "field" {
	n = ++s_nf[$2]
	s_field[$2, n] = $3
	s_desc[$2, n] = $4 " " $5 " " $6 " " $7
	next
}
FILENAME == ARGV[2] && $1 == "ioctl" {
	nio++
	io_call[nio] = $2
	io_cmd[nio] = $3
	io_dir[nio] = $4
	io_arg[nio] = $5
	next
}

# NAME = amd64:VALUE
FILENAME == ARGV[3] && $2 == "=" {
	v = $3
	sub(/^amd64:/, "", v)
	c_value[$1] = v
	next
}

FILENAME == ARGV[1] || FILENAME == ARGV[2] {
	fail("unexpected line in " FILENAME ": " $0)
}

# "offset size dims element" -> a readable phrase
function say(d,    w) {
	split(d, w, " ")
	return "offset " w[1] ", size " w[2] (w[3] == "-" ? "" : ", array " w[3]) " of " w[4]
}

END {
	for (i = 1; i <= ns; i++) {
		s = s_order[i]
		b = s_base[s]
		if (!(b in h_size)) {
			fail(s ": the header has no struct " b)
			continue
		}
		described[b] = 1
		if (s_size[s] != h_size[b])
			fail(s ": " s_size[s] " bytes in the description, " h_size[b] " in the header (struct " b ")")
		if (s_align[s] != h_align[b])
			fail(s ": alignment " s_align[s] " in the description, " h_align[b] " in the header")
		n = s_nf[s] > h_nf[b] ? s_nf[s] : h_nf[b]
		for (j = 1; j <= n; j++) {
			if (j > s_nf[s]) {
				fail(s ": field " h_field[b, j] " of struct " b " is missing from the description")
				continue
			}
			if (j > h_nf[b]) {
				fail(s ": field " s_field[s, j] " is not in struct " b)
				continue
			}
			if (s_field[s, j] != h_field[b, j]) {
				fail(s ": field " j " is " s_field[s, j] " in the description, " \
				     h_field[b, j] " in the header")
				continue
			}
			if (s_desc[s, j] != h_desc[b, j])
				fail(s "." s_field[s, j] ": " say(s_desc[s, j]) " in the description; " \
				     say(h_desc[b, j]) " in the header")
		}
	}
	for (b in h_size)
		if (!(b in described))
			fail("struct " b " of the header is not described")

	for (i = 1; i <= nio; i++) {
		c = io_cmd[i]
		if (!(c in h_ioctl_dir)) {
			fail(io_call[i] ": " c " is not an ioctl of the header")
			continue
		}
		seen[c] = 1
		if (s_base[io_arg[i]] != h_ioctl_arg[c])
			fail(io_call[i] ": takes " io_arg[i] ", but " c " is defined with struct " h_ioctl_arg[c])
		if (io_dir[i] != h_ioctl_dir[c])
			fail(io_call[i] ": pointer direction " io_dir[i] ", but " c " is " h_ioctl_dir[c])
	}
	for (c in h_ioctl_dir) {
		if (!(c in seen))
			fail(c " of the header has no ioctl$" c " in the description")
		if (!(c in c_value))
			fail(c " is not in the .const file")
		else if (c_value[c] != h_ioctl_nr[c])
			fail(c ": the .const file has " c_value[c] ", the header gives " h_ioctl_nr[c])
	}
	if (failed)
		exit 1
	nh = 0
	for (b in h_size)
		nh++
	nfld = 0
	for (i = 1; i <= ns; i++)
		nfld += s_nf[s_order[i]]
	fmt = "ok: %d description structs (%d header structs), %d fields and %d ioctls"
	printf fmt " match the header\n", ns, nh, nfld, nio
}
