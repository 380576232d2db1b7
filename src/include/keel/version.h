/* Product name and version. */
#ifndef KEEL_VERSION_H
#define KEEL_VERSION_H
#define PRODUCT_NAME "Keel"
#define PRODUCT_VERSION "0.1.0"
#define PRODUCT_TAGLINE "open-source network boot firmware"
#endif
