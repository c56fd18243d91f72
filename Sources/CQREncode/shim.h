#ifndef CQRENCODE_SHIM_H
#define CQRENCODE_SHIM_H
// libqrencode (libqrencode-dev), for the QR code of a TOTP enrolment: the declarations only,
// the library isn't linked. CLazyLibraries defines the functions used and loads libqrencode
// on the first call.
#include <qrencode.h>
#endif
