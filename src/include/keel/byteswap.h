/* Byte order: explicit conversions for wire formats (x86 is little-endian). */
#ifndef KEEL_BYTESWAP_H
#define KEEL_BYTESWAP_H
#include <stdint.h>

#define bswap_16(x) __builtin_bswap16(x)
#define bswap_32(x) __builtin_bswap32(x)
#define bswap_64(x) __builtin_bswap64(x)

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "Keel targets little-endian machines"
#endif

#define cpu_to_le16(x) ((uint16_t)(x))
#define cpu_to_le32(x) ((uint32_t)(x))
#define cpu_to_le64(x) ((uint64_t)(x))
#define le16_to_cpu(x) ((uint16_t)(x))
#define le32_to_cpu(x) ((uint32_t)(x))
#define le64_to_cpu(x) ((uint64_t)(x))
#define cpu_to_be16(x) bswap_16((uint16_t)(x))
#define cpu_to_be32(x) bswap_32((uint32_t)(x))
#define cpu_to_be64(x) bswap_64((uint64_t)(x))
#define be16_to_cpu(x) bswap_16((uint16_t)(x))
#define be32_to_cpu(x) bswap_32((uint32_t)(x))
#define be64_to_cpu(x) bswap_64((uint64_t)(x))
#define htons(x) cpu_to_be16(x)
#define ntohs(x) be16_to_cpu(x)
#define htonl(x) cpu_to_be32(x)
#define ntohl(x) be32_to_cpu(x)

#endif
