/* Freestanding ctype.h: ASCII character classes (src/core/ctype.c). */
#ifndef CTYPE_H
#define CTYPE_H

int isdigit(int c);
int isxdigit(int c);
int isalpha(int c);
int isalnum(int c);
int isupper(int c);
int islower(int c);
int isspace(int c);
int isprint(int c);
int isgraph(int c);
int ispunct(int c);
int iscntrl(int c);
int toupper(int c);
int tolower(int c);
/* Not in ISO C: a hexadecimal digit's value, or -1 */
int xdigit_value(int c);

#endif
