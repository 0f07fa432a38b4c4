#pragma once
/// \file
/// Visibility macro for symbols of the concord_core shared library. Core is
/// built with hidden visibility; its bases, registry and errors are exported so
/// that vtables and type_info exist once and dynamic_cast/catch work across
/// hidden-visibility plugins (reference/cpp-style-anchors.md §1.8 item 1).

#if defined(__GNUC__)
#define CONCORD_CORE_API __attribute__((visibility("default")))
#else
#define CONCORD_CORE_API
#endif
