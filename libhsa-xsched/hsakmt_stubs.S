/* SPDX-License-Identifier: MIT */
/*
 * One trampoline per forwarded hsakmt function: an indirect jump through
 * the pointer hsakmt_override.c resolved in the real library. A jump (not
 * a call) leaves every argument register, the stack and the return address
 * as the caller set them, so each call reaches the real function unchanged
 * whatever its signature. x86-64 only. endbr64 marks each one as a valid
 * indirect-branch target where CET is enforced; elsewhere it is a no-op.
 */
	.text

#define XSK_HOOK(name)
#define XSK_FORWARD(name)		\
	.globl name;			\
	.type name, @function;		\
	.p2align 4;			\
name:					\
	endbr64;			\
	jmp *xsk_real_##name(%rip);	\
	.size name, . - name;

#include "hsakmt_symbols.h"

	.section .note.GNU-stack, "", @progbits
