/**
 * @file export.h
 * @brief Symbol visibility for the libiggy public API.
 */
#ifndef IGGY_EXPORT_H
#define IGGY_EXPORT_H

#if defined(IGGY_STATIC)
#define IGGY_EXTERN
#elif defined(_WIN32)
#if defined(IGGY_BUILDING_LIBRARY)
#define IGGY_EXTERN __declspec(dllexport)
#else
#define IGGY_EXTERN __declspec(dllimport)
#endif
#else
#define IGGY_EXTERN __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
#define IGGY_BEGIN_DECLS extern "C" {
#define IGGY_END_DECLS }
#else
#define IGGY_BEGIN_DECLS
#define IGGY_END_DECLS
#endif

#endif
