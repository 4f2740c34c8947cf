/*
 * C entry point to pytapi2's declarations: the simulator, the C tests and
 * the cffi binding include this file, never tapi_*.h directly.
 *
 * It supplies what the plain declaration files cannot say for themselves:
 * exact-width integer types, char16_t, the WINAPI calling convention, and the
 * 1-byte packing of tapi.h ("#pragma pack(1)") around the structures.
 */
#ifndef PYTAPI2_TAPI_H
#define PYTAPI2_TAPI_H

#include <stdint.h>
#include <uchar.h>

#ifndef WINAPI
#  if defined(_WIN32) && !defined(_WIN64)
#    define WINAPI __stdcall
#  else
#    define WINAPI
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

#pragma pack(push, 1)
#include "tapi_types.h"
#pragma pack(pop)

#include "tapi_functions.h"
#include "tapisim.h"

#ifdef __cplusplus
}
#endif

#endif /* PYTAPI2_TAPI_H */
