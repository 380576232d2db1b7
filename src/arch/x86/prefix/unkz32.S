/* The prefixes' KZ decoder: i386, flat 32-bit mode, no relocations (the twin of unkz.c). */

/*
 * kz_unpack(), kz_decode(), kz_unsplit() and kz_fixups(), as unkz.h
 * declares them, called with the stack convention (cdecl). unkz.c is the
 * same decoder in C, which this follows step for step, and which the host
 * tools use: bin/kz_test and bin/kz_run32 check that both give the same
 * result and the same bytes on every case, damaged ones too. It is written
 * by hand because it is the one part of every BIOS image that cannot be
 * compressed; the C compiles to about 40% more (3.3 KB for 2.3 KB).
 *
 * int kz_decode(const uint8_t *in, uint32_t in_len, uint8_t *out,
 *		 uint32_t out_len, uint32_t code_len, const uint32_t *slen,
 *		 void *work);
 *
 * Registers in the main loop: %ebp = the work space (layout below), %edi =
 * out, %esi = the output position. Every helper keeps every register it
 * does not return a value in; .Lbit returns its bit in CF.
 */
#include <unkz.h>

/* The work space */
#define D_IN	 0	/* next input byte */
#define D_INEND	 4
#define D_RANGE	 8
#define D_CODE	 12
#define D_OVER	 16	/* bytes read past the end (counted, not read) */
#define D_REND	 20	/* 10 words: where each region of the output ends */
#define D_R	 60	/* the region of the output position */
#define D_SEEN	 64	/* how far the opcode stream has been followed */
#define D_KIND	 68	/* the KZ_K_* kind of the byte there */
#define D_OP	 72	/* the last opcode before it (256 added after 0F) */
#define D_REP0	 76	/* rep0..rep3: 76, 80, 84, 88 */
#define D_STATE	 92
#define D_OUTLEN 96
#define D_P	 124	/* the probabilities (within KZ_WORK_SIZE, and
			 * reached with an 8-bit displacement) */

#if D_P + 2 * KZ_NPROBS > KZ_WORK_SIZE || D_OUTLEN + 4 > D_P
#error "the work space's layout does not fit KZ_WORK_SIZE"
#endif

/* Where pushal leaves %ecx and %eax on the stack */
#define PUSHAL_ECX 24
#define PUSHAL_EAX 28

	.text
	.code32
	.globl kz_decode
kz_decode:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	cld
	movl 44(%esp), %ebp
	movl 20(%esp), %esi
	movl 24(%esp), %ecx
	cmpl $5, %ecx
	jb .Lfail
	cmpb $0, (%esi)
	jne .Lfail
	addl %esi, %ecx
	movl %ecx, D_INEND(%ebp)
	movl 1(%esi), %eax
	bswapl %eax
	movl %eax, D_CODE(%ebp)
	addl $5, %esi
	movl %esi, D_IN(%ebp)
	orl $-1, D_RANGE(%ebp)
	xorl %eax, %eax
	movl %eax, D_OVER(%ebp)
	movl %eax, D_R(%ebp)
	movl %eax, D_OP(%ebp)
	movl %eax, D_STATE(%ebp)
	movl $KZ_MAP_SIZE, D_SEEN(%ebp)
	movl $KZ_K_OP, D_KIND(%ebp)
	/* rep0..rep3 = 1 */
	incl %eax
	leal D_REP0(%ebp), %edi
	stosl
	stosl
	stosl
	stosl
	/* Every probability one half */
	leal D_P(%ebp), %edi
	movl $KZ_NPROBS, %ecx
	movw $(1 << (KZ_PBITS - 1)), %ax
	rep stosw
	/* The regions' ends: the map, the streams, the rest (all 0 but the
	 * last with no split code) */
	movl 32(%esp), %edx
	movl %edx, D_OUTLEN(%ebp)
	movl 36(%esp), %ecx
	movl 40(%esp), %esi
	xorl %eax, %eax
	jecxz 1f
	subl $KZ_MAP_SIZE, %edx
	jb .Lfail
	cmpl %edx, %ecx
	ja .Lfail
	movl $KZ_MAP_SIZE, %eax
	addl %eax, %ecx			/* where the code ends */
1:	leal D_REND(%ebp), %edi
	xorl %ebx, %ebx
2:	stosl
	jecxz 3f
	cmpl $KZ_NSTREAMS - 1, %ebx
	jb 4f
	movl %ecx, %eax
	jmp 3f
4:	movl %ecx, %edx
	subl %eax, %edx
	cmpl %edx, (%esi,%ebx,4)
	ja .Lfail
	addl (%esi,%ebx,4), %eax
3:	incl %ebx
	cmpl $KZ_NSTREAMS, %ebx
	jbe 2b
	orl $-1, (%edi)
	movl 28(%esp), %edi
	xorl %esi, %esi

.Lloop:
	cmpl D_OUTLEN(%ebp), %esi
	jae .Ldone
	/* The region of the position, and its match kind */
	movl D_R(%ebp), %ecx
1:	cmpl $KZ_NSTREAMS, %ecx
	ja 2f
	cmpl D_REND(%ebp,%ecx,4), %esi
	jb 2f
	incl %ecx
	jmp 1b
2:	movl %ecx, D_R(%ebp)
	xorl %eax, %eax			/* KZ_K_OTHER */
	cmpl $1 + KZ_S_OP, %ecx
	jne .Lstream
	/* Follow the opcode stream up to the position (kz_kind()) */
	movl D_SEEN(%ebp), %ebx
	movl D_KIND(%ebp), %eax
3:	cmpl %esi, %ebx
	jae 9f
	movzbl (%edi,%ebx), %edx
	cmpl $KZ_K_OP, %eax
	jne 4f
	movl %edx, D_OP(%ebp)
4:	cmpl $KZ_K_OP2, %eax
	jne 5f
	movl %edx, D_OP(%ebp)
	movb $1, D_OP + 1(%ebp)
5:	cmpl $KZ_K_MODRM, %eax
	jne 6f
	/* After a ModRM byte: a SIB byte, or the next instruction */
	movb $KZ_K_OP, %al
	cmpb $0xc0, %dl
	jae 8f
	andb $7, %dl
	cmpb $4, %dl
	jne 8f
	movb $KZ_K_SIB, %al
	jmp 8f
6:	cmpl $KZ_K_SIB, %eax
	je 7f
	/* After an opcode byte: by its map entry */
	movl %edx, %ecx
	cmpl $KZ_K_OP2, %eax
	jne 6f
	incb %ch
6:	movb (%edi,%ecx), %cl
	cmpb $KZ_X_ESCAPE, %cl
	jne 6f
	cmpl $KZ_K_OP, %eax
	jne 6f
	movb $KZ_K_OP2, %al
	jmp 8f
6:	testb $KZ_X_MODRM, %cl
	movb $KZ_K_MODRM, %al
	jnz 8f
7:	movb $KZ_K_OP, %al
8:	incl %ebx
	jmp 3b
9:	movl %ebx, D_SEEN(%ebp)
	movl %eax, D_KIND(%ebp)
	jmp .Lkind
	/* In stream k = r - 1 of the code (kz_skind()), or outside it */
.Lstream:
	jecxz .Lkind
	cmpl $KZ_NSTREAMS, %ecx
	ja .Lkind
	decl %ecx
	movl %esi, %edx
	subl D_REND(%ebp,%ecx,4), %edx
	andl $3, %edx
	movb $0x74, %al
	shrl %cl, %eax
	andl $1, %eax
	negl %eax
	andl %edx, %eax
	cmpl $KZ_S_JMP, %ecx
	jne 1f
	decl %ecx
1:	leal 4(%eax,%ecx,4), %eax

.Lkind:
	imull $KZ_NSTATES, %eax, %edx
	addl D_STATE(%ebp), %edx
	addl $KZ_IS_MATCH, %edx
	call .Lbit
	jc .Lmatch

	/* A literal: the trees of its kind, a ModRM byte's by its opcode */
	xorl %eax, %eax
	cmpl $1 + KZ_S_OP, D_R(%ebp)
	jne 1f
	movl D_KIND(%ebp), %eax
1:	imull $0x300, %eax, %ebx
	addl $KZ_LIT, %ebx
	xorl %ecx, %ecx
	incl %ecx
	cmpl $KZ_STATES_LIT, D_STATE(%ebp)
	jb 3f
	/* Right after a match: against the byte at rep0, while they agree */
	pushl %eax
	movl %esi, %eax
	subl D_REP0(%ebp), %eax
	movb (%edi,%eax), %al
2:	addb %al, %al
	sbbl %edx, %edx
	andl $0x100, %edx
	pushl %edx
	leal 0x100(%ebx,%edx), %edx
	addl %ecx, %edx
	call .Lbit
	adcl %ecx, %ecx
	popl %edx
	cmpl $0x100, %ecx
	jae 2f
	shrl $8, %edx
	xorl %ecx, %edx
	testb $1, %dl
	jz 2b
2:	popl %eax
3:	cmpl $KZ_K_MODRM, %eax
	jne 4f
	movl D_OP(%ebp), %ebx
	shll $8, %ebx
	addl $KZ_LIT_MODRM, %ebx
4:	cmpl $0x100, %ecx
	jae 5f
	leal (%ebx,%ecx), %edx
	call .Lbit
	adcl %ecx, %ecx
	jmp 4b
5:	movb %cl, (%edi,%esi)
	incl %esi
	xorl %eax, %eax
	call .Lnext
	jmp .Lloop

	/* A match: a repeat of one of the last four distances, or a new one */
.Lmatch:
	movl D_STATE(%ebp), %ebx
	leal KZ_IS_REP(%ebx), %edx
	call .Lbit
	jnc .Lnew
	leal KZ_IS_REP0(%ebx), %edx
	call .Lbit
	jc 1f
	xorl %ecx, %ecx
	incl %ecx
	leal KZ_IS_REP0_LONG(%ebx), %edx
	call .Lbit
	jnc 3f
	jmp 2f
1:	leal KZ_IS_REP1(%ebx), %edx
	call .Lbit
	movl D_REP0 + 4(%ebp), %eax
	jnc 4f
	leal KZ_IS_REP2(%ebx), %edx
	call .Lbit
	movl D_REP0 + 8(%ebp), %eax
	jnc 5f
	movl D_REP0 + 12(%ebp), %eax
	movl D_REP0 + 8(%ebp), %ecx
	movl %ecx, D_REP0 + 12(%ebp)
5:	movl D_REP0 + 4(%ebp), %ecx
	movl %ecx, D_REP0 + 8(%ebp)
4:	movl D_REP0(%ebp), %ecx
	movl %ecx, D_REP0 + 4(%ebp)
	movl %eax, D_REP0(%ebp)
2:	movl $KZ_REP_LEN, %edx
	call .Llen
3:	movb $6, %al
	jmp .Lcopy
.Lnew:
	movl D_REP0 + 8(%ebp), %eax
	movl %eax, D_REP0 + 12(%ebp)
	movl D_REP0 + 4(%ebp), %eax
	movl %eax, D_REP0 + 8(%ebp)
	movl D_REP0(%ebp), %eax
	movl %eax, D_REP0 + 4(%ebp)
	movl $KZ_MATCH_LEN, %edx
	call .Llen
	call .Ldist
	incl %eax
	movl %eax, D_REP0(%ebp)
	pushl $3
	popl %eax
	/* %ecx bytes from rep0 back, after the state moves on by %eax */
.Lcopy:
	movzbl %al, %eax
	call .Lnext
	movl D_REP0(%ebp), %eax
	cmpl %esi, %eax
	ja .Lfail
	movl D_OUTLEN(%ebp), %edx
	subl %esi, %edx
	cmpl %edx, %ecx
	ja .Lfail
	pushl %edi
	addl %esi, %edi
	movl %edi, %esi
	subl %eax, %esi
	rep movsb
	movl %edi, %esi
	popl %edi
	subl %edi, %esi
	jmp .Lloop

.Ldone:
	xorl %eax, %eax
	cmpl $4, D_OVER(%ebp)
	jbe 1f
.Lfail:
	orl $-1, %eax
1:	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* state = %eax + state / 3 */
.Lnext:
	pushal
	xchgl %eax, %ebx
	movl D_STATE(%ebp), %eax
	xorl %edx, %edx
	pushl $3
	popl %ecx
	divl %ecx
	addl %ebx, %eax
	movl %eax, D_STATE(%ebp)
	popal
	ret

/* One bit with the adaptive probability %edx, into CF */
.Lbit:
	pushal
	leal D_P(%ebp,%edx,2), %ebx
	movzwl (%ebx), %ecx
	movl D_RANGE(%ebp), %eax
	shrl $KZ_PBITS, %eax
	imull %ecx, %eax
	xorl %edx, %edx
	cmpl %eax, D_CODE(%ebp)
	jae 1f
	movl %eax, D_RANGE(%ebp)
	negl %ecx
	addl $(1 << KZ_PBITS), %ecx
	shrl $KZ_MOVE, %ecx
	addw %cx, (%ebx)
	jmp 2f
1:	subl %eax, D_RANGE(%ebp)
	subl %eax, D_CODE(%ebp)
	shrl $KZ_MOVE, %ecx
	subw %cx, (%ebx)
	incl %edx
2:	call .Lnorm
	shrl $1, %edx
	popal
	ret

/* Keep the range at 2^24 or more: one byte in */
.Lnorm:
	pushal
	cmpb $0, D_RANGE + 3(%ebp)
	jne 2f
	shll $8, D_RANGE(%ebp)
	shll $8, D_CODE(%ebp)
	movl D_IN(%ebp), %esi
	cmpl D_INEND(%ebp), %esi
	jae 1f
	lodsb
	movb %al, D_CODE(%ebp)
	movl %esi, D_IN(%ebp)
	jmp 2f
1:	incl D_OVER(%ebp)
2:	popal
	ret

/* %ecx bits, most significant first, through the tree at %edx, into %ecx */
.Ltree:
	pushal
	movl %edx, %ebx
	xorl %eax, %eax
	incl %eax
	shll %cl, %eax
	xorl %ecx, %ecx
	incl %ecx
1:	cmpl %eax, %ecx
	jae 2f
	leal (%ebx,%ecx), %edx
	call .Lbit
	adcl %ecx, %ecx
	jmp 1b
2:	subl %eax, %ecx
	movl %ecx, PUSHAL_ECX(%esp)
	popal
	ret

/* %ecx bits (1 or more), least significant first, through the tree at
 * %edx, into %ecx: the same steps as .Ltree, the bits then reversed */
.Lrtree:
	pushal
	call .Ltree
	movl PUSHAL_ECX(%esp), %ebx
	xorl %edi, %edi
1:	shrl $1, %ecx
	rcll $1, %edi
	decl %ebx
	jnz 1b
	movl %edi, PUSHAL_ECX(%esp)
	popal
	ret

/* A match length (2..273) from the coder at %edx, into %ecx */
.Llen:
	pushl %edx
	pushl $3
	popl %ecx
	call .Lbit
	jc 1f
	addl $KZ_LEN_LOW, %edx
	call .Ltree
	addl $2, %ecx
	jmp 3f
1:	incl %edx
	call .Lbit
	jc 2f
	addl $KZ_LEN_MID - 1, %edx
	call .Ltree
	addl $10, %ecx
	jmp 3f
2:	addl $KZ_LEN_HIGH - 1, %edx
	movb $8, %cl
	call .Ltree
	addl $18, %ecx
3:	popl %edx
	ret

/* A match distance minus one, for a match of %ecx bytes, into %eax */
.Ldist:
	pushal
	leal -2(%ecx), %eax
	cmpl $3, %eax
	jb 1f
	pushl $3
	popl %eax
1:	shll $6, %eax
	leal KZ_SLOT(%eax), %edx
	pushl $6
	popl %ecx
	call .Ltree
	movl %ecx, %eax
	cmpl $4, %ecx
	jb 9f
	movl %ecx, %ebx
	shrl $1, %ecx
	decl %ecx
	andl $1, %eax
	orb $2, %al
	shll %cl, %eax
	cmpl $KZ_END_SPEC_SLOT, %ebx
	jae 2f
	leal KZ_SPEC(%eax), %edx
	subl %ebx, %edx
	call .Lrtree
	jmp 8f
	/* Raw bits above the aligned ones, then those through ALIGN */
2:	subl $KZ_ALIGN_BITS, %ecx
	xorl %ebx, %ebx
3:	shrl $1, D_RANGE(%ebp)
	movl D_RANGE(%ebp), %edx
	addl %ebx, %ebx
	cmpl %edx, D_CODE(%ebp)
	jb 4f
	subl %edx, D_CODE(%ebp)
	incl %ebx
4:	call .Lnorm
	loop 3b
	shll $KZ_ALIGN_BITS, %ebx
	addl %ebx, %eax
	movl $KZ_ALIGN, %edx
	pushl $KZ_ALIGN_BITS
	popl %ecx
	call .Lrtree
8:	addl %ecx, %eax
9:	movl %eax, PUSHAL_EAX(%esp)
	popal
	ret

/*
 * int kz_unsplit(uint8_t *out, uint32_t len, const uint8_t *s,
 *		  const uint32_t *slen);
 *
 * The twin of unkz.c's kz_unsplit() and kz_x86(). The frame below the
 * registers pushal saved: the streams' read positions sp[8], their ends
 * se[8], then the output's end and the current instruction's fields.
 */
#define U_SP	 0
#define U_SE	 32
#define U_END	 64
#define U_NOP	 68
#define U_DLEN	 72
#define U_ILEN	 76
#define U_IST	 80
#define U_FRAME	 84
#define U_OUT	 (U_FRAME + 32 + 4)	/* the arguments */
#define U_LEN	 (U_OUT + 4)
#define U_S	 (U_OUT + 8)
#define U_SLEN	 (U_OUT + 12)

	.globl kz_unsplit
kz_unsplit:
	pushal
	cld
	subl $U_FRAME, %esp
	movl U_S(%esp), %ebx
	leal KZ_MAP_SIZE(%ebx), %esi
	movl U_LEN(%esp), %ecx
	movl U_SLEN(%esp), %edx
	xorl %eax, %eax
	xorl %ebp, %ebp
	/* Each stream starts where the one before ends; the last one ends
	 * with the code */
1:	leal (%esi,%eax), %edi
	movl %edi, U_SP(%esp,%ebp,4)
	movl %ecx, %edi
	cmpl $KZ_NSTREAMS - 1, %ebp
	jae 2f
	subl %eax, %edi
	cmpl %edi, (%edx,%ebp,4)
	ja .Lufail
	movl %eax, %edi
	addl (%edx,%ebp,4), %edi
2:	movl %edi, %eax
	addl %esi, %edi
	movl %edi, U_SE(%esp,%ebp,4)
	incl %ebp
	cmpl $KZ_NSTREAMS, %ebp
	jb 1b
	movl U_OUT(%esp), %edi
	addl %edi, %ecx
	movl %ecx, U_END(%esp)

	/* One instruction: its leading bytes tell where the rest is */
.Luloop:
	movl U_END(%esp), %ecx
	subl %edi, %ecx
	jz .Ludone
	movl U_SP + 4 * KZ_S_OP(%esp), %esi
	cmpl $KZ_TAIL, %ecx
	jbe .Lutail
	movl U_SE + 4 * KZ_S_OP(%esp), %eax
	subl %esi, %eax
	cmpl $KZ_TAIL, %eax
	jb .Lufail
	call .Lx86
	movl %eax, U_NOP(%esp)
	movl %edx, U_DLEN(%esp)
	movl %ecx, U_ILEN(%esp)
	movl %ebp, U_IST(%esp)
	/* The code's last KZ_TAIL bytes are all in KZ_S_OP */
	leal KZ_TAIL(%eax,%edx), %esi
	addl %ecx, %esi
	addl %edi, %esi
	cmpl U_END(%esp), %esi
	ja .Lutail
	movl %eax, %ecx
	xorl %eax, %eax
	call .Ltake
	jc .Lufail
	movl U_DLEN(%esp), %ecx
	movb $KZ_S_D32, %al
	cmpl $1, %ecx
	jne 1f
	movb $KZ_S_D8, %al
1:	call .Ltake
	jc .Lufail
	movl U_IST(%esp), %eax
	movl U_ILEN(%esp), %ecx
	call .Ltake
	jc .Lufail
	/* Back from a CALL or JMP target's offset to rel32 */
	cmpl $4, U_ILEN(%esp)
	jne .Luloop
	subl $KZ_S_CALL, %eax
	cmpl $KZ_S_JMP - KZ_S_CALL, %eax
	ja .Luloop
	movl -4(%edi), %eax
	bswapl %eax
	subl %edi, %eax
	addl U_OUT(%esp), %eax
	movl %eax, -4(%edi)
	jmp .Luloop

.Lutail:
	movl U_END(%esp), %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	call .Ltake
	jc .Lufail
	/* Every stream must have been read to its end */
.Ludone:
	xorl %eax, %eax
1:	movl U_SP(%esp,%eax,4), %edx
	cmpl U_SE(%esp,%eax,4), %edx
	jne .Lufail
	incl %eax
	cmpl $KZ_NSTREAMS, %eax
	jb 1b
	xorl %eax, %eax
	jmp 2f
.Lufail:
	orl $-1, %eax
2:	movl %eax, U_FRAME + PUSHAL_EAX(%esp)
	addl $U_FRAME, %esp
	popal
	ret

/* %ecx bytes of stream %eax to %edi (moved on); CF if it has not that many */
.Ltake:
	movl 4 + U_SP(%esp,%eax,4), %esi
	movl 4 + U_SE(%esp,%eax,4), %edx
	subl %esi, %edx
	cmpl %ecx, %edx
	jb 1f
	rep movsb
	movl %esi, 4 + U_SP(%esp,%eax,4)
1:	ret

/*
 * The leading bytes of the instruction at %esi, by the opcode map at %ebx
 * (kz_x86()): into %eax, how many (prefixes, opcode, ModRM, SIB); %edx,
 * the displacement's length; %ecx, the immediate's; %ebp, its stream
 */
.Lx86:
	pushal
	xorl %ecx, %ecx
	movl $0x0404, %edx		/* %dl: operand size, %dh: address */
1:	movzbl (%esi,%ecx), %ebp
	incl %ecx
	movzbl (%ebx,%ebp), %eax
	cmpb $KZ_X_ESCAPE, %al
	jne 2f
	movb (%esi,%ecx), %al
	incl %ecx
	movb 256(%ebx,%eax), %al
2:	cmpb $KZ_X_OSZ, %al
	jne 3f
	movb $2, %dl
3:	cmpb $KZ_X_ASZ, %al
	jne 4f
	movb $2, %dh
4:	movl %eax, %edi
	andl $~KZ_X_LEN, %edi
	cmpl $KZ_X_PREFIX, %edi
	jne 5f
	cmpl $15, %ecx
	jb 1b
5:	movl %eax, %edi
	shrl $KZ_X_STREAM_SHIFT, %edi
	andl $7, %edi
	movl %edi, 8(%esp)		/* pushal's %ebp */
	movl %eax, %edi
	andl $KZ_X_LEN, %edi
	testb $KZ_X_PLUS_OSZ, %al
	jz 6f
	pushl %edx
	movzbl %dl, %edx
	addl %edx, %edi
	popl %edx
6:	andl $0, 20(%esp)		/* pushal's %edx */
	testb $KZ_X_MODRM, %al
	jz 9f
	movzbl (%esi,%ecx), %eax
	incl %ecx
	/* F6 and F7 have an immediate only as TEST (/0 and /1) */
	andl $0xfe, %ebp
	cmpl $0xf6, %ebp
	jne 7f
	testb $0x30, %al
	jz 7f
	xorl %edi, %edi
7:	cmpb $0xc0, %al
	jae 9f
	cmpb $2, %dh
	jne 8f
	cmpb $0x80, %al
	jae 71f
	movb %al, %dl
	andb $0xc7, %dl
	cmpb $6, %dl
	jne 75f
71:	movb $2, 20(%esp)
	jmp 75f
8:	movl %eax, %ebp
	movb %al, %dl
	andb $7, %dl
	cmpb $4, %dl
	jne 81f
	movzbl (%esi,%ecx), %ebp
	incl %ecx
81:	cmpb $0x80, %al
	jae 82f
	cmpb $0x40, %al
	jae 75f
	andl $7, %ebp
	cmpl $5, %ebp
	jne 75f
82:	movb $4, 20(%esp)
75:	andb $0xc0, %al
	cmpb $0x40, %al
	jne 9f
	movb $1, 20(%esp)
9:	movl %ecx, PUSHAL_EAX(%esp)
	movl %edi, PUSHAL_ECX(%esp)
	popal
	ret

/*
 * int kz_unpack(const struct kz_header *h, uint32_t avail, uint8_t *dst,
 *		 uint32_t link_base);
 *
 * The twin of unkz.c's kz_unpack(): the checks of the header, the stream
 * decoded after the payload's memory, the code put together at @dst, the
 * rest of the file copied after it, then the fixups.
 */
#define H_MAGIC	   0
#define H_IN_LEN   4
#define H_OUT_LEN  8
#define H_FIX_OFF  12
#define H_MEM_LEN  16
#define H_RUN_LEN  20
#define H_CODE_LEN 24
#define H_SPLIT	   28
#define H_SIZE	   (H_SPLIT + 4 * (KZ_NSTREAMS - 1))

	.globl kz_unpack
kz_unpack:
	pushal
	cld
	movl 36(%esp), %ebx
	movl 44(%esp), %edi
	movl 40(%esp), %eax
	subl $H_SIZE, %eax
	jb .Lkfail
	cmpl $KZ_MAGIC, H_MAGIC(%ebx)
	jne .Lkfail
	cmpl %eax, H_IN_LEN(%ebx)
	ja .Lkfail
	movl H_OUT_LEN(%ebx), %ecx
	subl $KZ_MAP_SIZE, %ecx
	jb .Lkfail
	movl H_FIX_OFF(%ebx), %edx
	cmpl %ecx, %edx
	ja .Lkfail
	cmpl %edx, H_CODE_LEN(%ebx)
	ja .Lkfail
	/* The payload's memory and the decoded stream, each rounded to 16,
	 * then the work space and the stack */
	movl H_MEM_LEN(%ebx), %eax
	addl $15, %eax
	jc .Lkfail
	andl $-16, %eax
	movl H_OUT_LEN(%ebx), %ecx
	addl $15, %ecx
	jc .Lkfail
	andl $-16, %ecx
	movl %eax, %esi
	addl %ecx, %esi
	jc .Lkfail
	movl H_RUN_LEN(%ebx), %edx
	subl $KZ_STACK_SIZE + KZ_WORK_SIZE, %edx
	jb .Lkfail
	cmpl %esi, %edx
	jae 2f
.Lkfail:
	orl $-1, %eax
	jmp 3f
2:	leal (%edi,%eax), %esi
	leal (%esi,%ecx), %eax
	pushl %eax
	leal H_SPLIT(%ebx), %ebp
	pushl %ebp
	pushl H_CODE_LEN(%ebx)
	pushl H_OUT_LEN(%ebx)
	pushl %esi
	pushl H_IN_LEN(%ebx)
	leal H_SIZE(%ebx), %eax
	pushl %eax
	call kz_decode
	addl $28, %esp
	testl %eax, %eax
	jnz .Lkfail
	pushl %ebp
	pushl %esi
	pushl H_CODE_LEN(%ebx)
	pushl %edi
	call kz_unsplit
	addl $16, %esp
	testl %eax, %eax
	jnz .Lkfail
	/* The rest of the file, after the map and the code */
	pushl %esi
	pushl %edi
	movl H_CODE_LEN(%ebx), %eax
	movl H_FIX_OFF(%ebx), %ecx
	subl %eax, %ecx
	addl %eax, %edi
	leal KZ_MAP_SIZE(%esi,%eax), %esi
	rep movsb
	popl %edi
	popl %esi
	/* kz_fixups(dst, fix_off, mem_len, s + MAP + fix_off,
	 *	     out_len - MAP - fix_off, link_base, dst - link_base) */
	movl 48(%esp), %ecx
	movl %edi, %eax
	subl %ecx, %eax
	pushl %eax
	pushl %ecx
	movl H_FIX_OFF(%ebx), %edx
	movl H_OUT_LEN(%ebx), %eax
	subl $KZ_MAP_SIZE, %eax
	subl %edx, %eax
	pushl %eax
	leal KZ_MAP_SIZE(%esi,%edx), %eax
	pushl %eax
	pushl H_MEM_LEN(%ebx)
	pushl %edx
	pushl %edi
	call kz_fixups
	addl $28, %esp
3:	movl %eax, PUSHAL_EAX(%esp)
	popal
	ret

/*
 * int kz_fixups(uint8_t *img, uint32_t filesz, uint32_t mem_len,
 *		 const uint8_t *ex, uint32_t elen, uint32_t link_base,
 *		 uint32_t delta);
 *
 * The twin of unkz.c's kz_fixups(). The frame: the two lists of offsets
 * (each: read position, numbers left, next offset), the last offset put
 * in the table, and where the table must end.
 */
#define F_FL	 0
#define F_ML	 12
#define F_PREV	 24
#define F_TEND	 28
#define F_FRAME	 32
#define F_IMG	 (F_FRAME + 32 + 4)	/* the arguments */
#define F_FILESZ (F_IMG + 4)
#define F_MEMLEN (F_IMG + 8)
#define F_EX	 (F_IMG + 12)
#define F_ELEN	 (F_IMG + 16)
#define F_LINK	 (F_IMG + 20)
#define F_DELTA	 (F_IMG + 24)
#define L_P	 0
#define L_LEFT	 4
#define L_NEXT	 8

	.globl kz_fixups
kz_fixups:
	pushal
	subl $F_FRAME, %esp
	movl F_IMG(%esp), %edi
	movl F_FILESZ(%esp), %ecx
	cmpl $12, %ecx
	jb .Lffail
	leal 6(%ecx), %eax
	cmpl %eax, F_MEMLEN(%esp)
	jb .Lffail
	leal (%edi,%ecx), %ebp		/* the table, after the file */
	movl F_MEMLEN(%esp), %eax
	leal -5(%edi,%eax), %eax
	movl %eax, F_TEND(%esp)
	/* The first list's count and offsets, then the second's */
	movl F_EX(%esp), %esi
	movl %esi, %edx
	addl F_ELEN(%esp), %edx
	call .Lvarint
	movl %eax, F_FL + L_LEFT(%esp)
	movl %esi, F_FL + L_P(%esp)
	xorl %ebx, %ebx
1:	cmpl F_FL + L_LEFT(%esp), %ebx
	jae 2f
	cmpl %edx, %esi
	jae 2f
	call .Lvarint
	incl %ebx
	jmp 1b
2:	call .Lvarint
	movl %esi, F_ML + L_P(%esp)
	movl %eax, F_ML + L_LEFT(%esp)
	incl %eax
	jz .Lffail
	movl F_FL + L_LEFT(%esp), %eax
	incl %eax
	jz .Lffail
	xorl %esi, %esi
	movl %esi, F_FL + L_NEXT(%esp)
	movl %esi, F_ML + L_NEXT(%esp)
	movl %esi, F_PREV(%esp)
	leal F_FL(%esp), %ebx
	call .Lstep
	leal F_ML(%esp), %ebx
	call .Lstep
	/* Every word of the file from the start: %esi = its offset */
.Lfloop:
	leal 4(%esi), %eax
	cmpl F_FILESZ(%esp), %eax
	ja .Lfend
	cmpl F_TEND(%esp), %ebp
	jae .Lfend
	movl (%edi,%esi), %ecx
	cmpl F_ML + L_NEXT(%esp), %esi
	jne 1f
	/* An address out of range */
	leal F_ML(%esp), %ebx
	call .Lstep
	jmp 3f
1:	movl %ecx, %eax
	subl F_LINK(%esp), %eax
	jb 2f
	cmpl F_MEMLEN(%esp), %eax
	ja 2f
	cmpl F_FL + L_NEXT(%esp), %esi
	jne 3f
	/* A word in range that is not an address */
	leal F_FL(%esp), %ebx
	call .Lstep
2:	incl %esi
	jmp .Lfloop
	/* An address: its distance from the last one into the table */
3:	movl %esi, %eax
	subl F_PREV(%esp), %eax
	movl %esi, F_PREV(%esp)
	cmpl $0x80, %eax
	jae 4f
	movb %al, (%ebp)
	incl %ebp
	jmp 6f
4:	cmpl $0x4000, %eax
	jae 5f
	orb $0x80, %ah
	movb %ah, (%ebp)
	movb %al, 1(%ebp)
	addl $2, %ebp
	jmp 6f
5:	movb $0xff, (%ebp)
	movl %eax, 1(%ebp)
	addl $5, %ebp
6:	addl F_DELTA(%esp), %ecx
	movl %ecx, (%edi,%esi)
	addl $4, %esi
	jmp .Lfloop
	/* Both lists used up, and the table as long as the header says */
.Lfend:
	cmpl F_TEND(%esp), %ebp
	jae .Lffail
	movl F_FL + L_LEFT(%esp), %eax
	orl F_ML + L_LEFT(%esp), %eax
	jnz .Lffail
	movb %al, (%ebp)
	incl %ebp
	subl %edi, %ebp
	subl F_FILESZ(%esp), %ebp
	cmpl 8(%edi), %ebp
	je 1f
.Lffail:
	orl $-1, %eax
1:	movl %eax, F_FRAME + PUSHAL_EAX(%esp)
	addl $F_FRAME, %esp
	popal
	ret

/* The next offset of the list at %ebx (~0 once it is used up), reading
 * up to %edx */
.Lstep:
	pushl %eax
	pushl %esi
	orl $-1, %eax
	cmpl $0, L_LEFT(%ebx)
	je 1f
	decl L_LEFT(%ebx)
	movl L_P(%ebx), %esi
	call .Lvarint
	movl %esi, L_P(%ebx)
	cmpl $-1, %eax
	je 1f
	addl L_NEXT(%ebx), %eax
1:	movl %eax, L_NEXT(%ebx)
	popl %esi
	popl %eax
	ret

/* A LEB128 number from %esi (moved on) up to %edx, into %eax; ~0 if it
 * runs past the end or past 32 bits */
.Lvarint:
	pushl %ecx
	pushl %ebx
	xorl %ebx, %ebx
	xorl %ecx, %ecx
1:	cmpl %edx, %esi
	jae 2f
	cmpl $32, %ecx
	jae 2f
	lodsb
	movzbl %al, %eax
	pushl %eax
	andb $0x7f, %al
	shll %cl, %eax
	orl %eax, %ebx
	popl %eax
	addl $7, %ecx
	testb $0x80, %al
	jnz 1b
	xchgl %eax, %ebx
	jmp 3f
2:	orl $-1, %eax
3:	popl %ebx
	popl %ecx
	ret
