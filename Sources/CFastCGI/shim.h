#ifndef CFASTCGI_SHIM_H
#define CFASTCGI_SHIM_H
// fcgiapp.h only: fcgi_stdio.h redefines FILE, stdout and printf.
#include <fcgiapp.h>
#endif
