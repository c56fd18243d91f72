#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
// OpenSSL 3 libcrypto (libssl-dev): MAC, digests, randomness, constant-time compare.
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/// A ready HMAC context for the digest `digest` ("SHA256", "SHA1") keyed with `key`, or NULL.
/// Later messages re-initialise it with `EVP_MAC_init(ctx, NULL, 0, NULL)`, which keeps the
/// key (about 5x cheaper than a one-shot `HMAC()`). The digest name is built into an
/// `OSSL_PARAM` here in C because the parameter keeps the pointer it is given, which a Swift
/// string temporary would not outlive; `EVP_MAC_init` reads it (and never writes it) before
/// this returns.
static inline EVP_MAC_CTX *copenssl_hmac_new(const char *digest, const unsigned char *key, size_t key_length) {
    static const unsigned char empty_key[1] = {0};
    OSSL_PARAM params[2];
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context holds its own reference
    if (context == NULL) return NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    // A NULL key would mean "keep the current key"; an empty key needs a real pointer.
    if (EVP_MAC_init(context, key != NULL ? key : empty_key, key_length, params) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

/// `copenssl_hmac_new` for HMAC-SHA256 (the tokens).
static inline EVP_MAC_CTX *copenssl_hmac_sha256_new(const unsigned char *key, size_t key_length) {
    return copenssl_hmac_new("SHA256", key, key_length);
}

/// `copenssl_hmac_new` for HMAC-SHA1 (TOTP, RFC 6238).
static inline EVP_MAC_CTX *copenssl_hmac_sha1_new(const unsigned char *key, size_t key_length) {
    return copenssl_hmac_new("SHA1", key, key_length);
}
#endif
