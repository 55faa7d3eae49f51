// Two ways to build with typenet.
//
// Header-only (the default): include and go. Every translation unit compiles the
// GEMM kernel, the SVG plotting and the file readers it uses, at -O3: correct, but
// that is most of a small program's compile time.
//
// Precompiled: link the CMake target typenet::precompiled. It compiles that
// non-template code once, into a static library (src/precompiled.cpp), and defines
// TYPENET_PRECOMPILED for its users, so their headers only declare it. The lessons
// and tests build this way. The same pattern as Boost.Asio's separate compilation.
//
// A header with such code declares its functions TYPENET_INLINE and puts their
// bodies in a neighbouring .ipp file, included at the end when TYPENET_DEFINE_BODIES.
#pragma once

#if defined(TYPENET_PRECOMPILED) && !defined(TYPENET_PRECOMPILED_SOURCE)
#define TYPENET_DEFINE_BODIES 0  // a user of typenet::precompiled: declarations only
#else
#define TYPENET_DEFINE_BODIES 1  // header-only, or the precompiled library itself
#endif

#if defined(TYPENET_PRECOMPILED)
#define TYPENET_INLINE  // one definition, in the library
#else
#define TYPENET_INLINE inline
#endif
