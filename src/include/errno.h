/* Freestanding errno.h: Keel's error codes (see keel/errors.h). */
#ifndef ERRNO_H
#define ERRNO_H
#include <keel/errors.h>
#endif
