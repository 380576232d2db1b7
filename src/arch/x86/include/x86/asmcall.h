/* Calling convention of functions that assembly code calls, or that call into assembly. */
#ifndef X86_ASMCALL_H
#define X86_ASMCALL_H

/*
 * The i386 BIOS build passes the first three arguments in registers
 * (-mregparm=3). Every function whose caller or callee is written in
 * assembly takes its arguments on the stack instead, as the plain i386
 * convention does: mark both its declaration and its definition.
 */
#define __asmcall __attribute__((regparm(0)))

#endif
