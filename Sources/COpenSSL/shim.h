#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
// OpenSSL 3 libcrypto (libssl-dev): MAC, digests, signatures, keys and PEM, randomness,
// constant-time compare.
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
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

/// `BIO_get_mem_data` (a macro): the bytes written to a memory BIO so far and their count.
static inline long copenssl_bio_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

/// An ECDSA signature in DER (what `EVP_DigestSign` makes) as JOSE's raw `r || s`, each
/// padded to `half` bytes (32 for P-256, RFC 7518 §3.4). Returns 1, or 0 when `der` is not
/// exactly one DER signature or a number is longer than `half`.
static inline int copenssl_ecdsa_der_to_raw(
    const unsigned char *der, size_t der_length, unsigned char *raw, int half) {
    const unsigned char *cursor = der;
    ECDSA_SIG *signature = d2i_ECDSA_SIG(NULL, &cursor, (long)der_length);
    if (signature == NULL) return 0;
    int ok = cursor == der + der_length
        && BN_bn2binpad(ECDSA_SIG_get0_r(signature), raw, half) == half
        && BN_bn2binpad(ECDSA_SIG_get0_s(signature), raw + half, half) == half;
    ECDSA_SIG_free(signature);
    return ok;
}

/// JOSE's raw `r || s` (2 × `half` bytes) as the DER signature `EVP_DigestVerify` reads,
/// written to `der` (room for `der_capacity` bytes). Returns its length, or 0 on failure.
static inline int copenssl_ecdsa_raw_to_der(
    const unsigned char *raw, int half, unsigned char *der, int der_capacity) {
    ECDSA_SIG *signature = ECDSA_SIG_new();
    if (signature == NULL) return 0;
    BIGNUM *r = BN_bin2bn(raw, half, NULL);
    BIGNUM *s = BN_bin2bn(raw + half, half, NULL);
    if (r == NULL || s == NULL || ECDSA_SIG_set0(signature, r, s) != 1) {
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(signature);
        return 0;
    }
    int length = i2d_ECDSA_SIG(signature, NULL);
    if (length <= 0 || length > der_capacity) {
        ECDSA_SIG_free(signature);
        return 0;
    }
    unsigned char *cursor = der;
    length = i2d_ECDSA_SIG(signature, &cursor);
    ECDSA_SIG_free(signature);
    return length;
}
#endif
