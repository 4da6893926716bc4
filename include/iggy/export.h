/**
 * @file export.h
 * @brief Symbol visibility for the libiggy public API.
 */
#ifndef IGGY_EXPORT_H
#define IGGY_EXPORT_H

/**
 * @def IGGY_EXTERN
 * @brief Marks a public libiggy function: default visibility on ELF, dllexport/dllimport on
 *        Windows, nothing when linking the static library (define IGGY_STATIC; the
 *        iggy_static CMake target does it for you).
 */
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

/**
 * @def IGGY_BEGIN_DECLS
 * @brief Opens an `extern "C"` block when the header is read by a C++ compiler.
 * @def IGGY_END_DECLS
 * @brief Closes the block IGGY_BEGIN_DECLS opened.
 */
#ifdef __cplusplus
#define IGGY_BEGIN_DECLS extern "C" {
#define IGGY_END_DECLS }
#else
#define IGGY_BEGIN_DECLS
#define IGGY_END_DECLS
#endif

#endif
