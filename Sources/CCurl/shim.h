#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
// libcurl (libcurl4-openssl-dev), for sending mail over SMTP: the declarations only, the
// library isn't linked. CLazyLibraries defines the functions used and loads libcurl on the
// first call. curl_easy_setopt is variadic: typed wrappers below.
#include <curl/curl.h>

static inline CURLcode ccurl_set_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode ccurl_set_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode ccurl_set_list(CURL *curl, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(curl, option, list);
}

static inline CURLcode ccurl_set_pointer(CURL *curl, CURLoption option, void *pointer) {
    return curl_easy_setopt(curl, option, pointer);
}

typedef size_t (*ccurl_read_callback)(char *buffer, size_t size, size_t count, void *context);

static inline CURLcode ccurl_set_read_function(CURL *curl, ccurl_read_callback callback) {
    return curl_easy_setopt(curl, CURLOPT_READFUNCTION, callback);
}
#endif
