#ifndef CCRYPT_SHIM_H
#define CCRYPT_SHIM_H
// libxcrypt (libcrypt-dev): crypt_r, crypt_gensalt_rn, crypt_checksalt.
#include <crypt.h>

/// `sizeof(struct crypt_data)` (32 KiB), so Swift can allocate the work area for
/// `crypt_rn` on the heap without importing the struct's huge character arrays.
static inline int ccrypt_data_size(void) {
    return (int)sizeof(struct crypt_data);
}
#endif
