// The array forms of operator new and delete of mtlskit-report, replaced
// (as a program may: C++17 [replacement.functions]) so that large blocks sit
// on transparent huge pages. simdjson (outline.cc) allocates its buffers for
// a document with new[]: for a 14 MB result the tape, the strings and the
// structural indexes it touches come to some 17 MB, which in 4 KiB pages is
// over 4,000 page faults. On a virtual machine where a fault costs several
// microseconds, that is most of the time report diff takes (60 ms of the 64
// its first parse took, 4 ms of parsing); in 2 MiB pages it is a dozen
// faults. The blocks therefore come from mtk_buffer_alloc (mtlskit/file.h),
// which aligns large ones on 2 MiB and advises huge pages; small ones go to
// malloc as before. Every array form is replaced, so that each block is
// released by the allocator it came from.
#include <cstddef>
#include <cstdlib>
#include <new>

#include "mtlskit/file.h"

void *operator new[](std::size_t size) {
  void *p = mtk_buffer_alloc(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void *operator new[](std::size_t size, const std::nothrow_t &) noexcept {
  return mtk_buffer_alloc(size);
}

void operator delete[](void *p) noexcept { std::free(p); }

void operator delete[](void *p, std::size_t) noexcept { std::free(p); }

void operator delete[](void *p, const std::nothrow_t &) noexcept {
  std::free(p);
}
