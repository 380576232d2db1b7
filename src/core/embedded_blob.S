/* The script embedded with EMBED=, as bytes between two symbols. */
	.section ".rodata.embedded", "a", @progbits
	.globl	embedded_script
	.hidden	embedded_script
embedded_script:
	.incbin	EMBED_PATH
	.globl	embedded_script_end
	.hidden	embedded_script_end
embedded_script_end:
	.byte	0
	.section .note.GNU-stack, "", @progbits
