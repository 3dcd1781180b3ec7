// The array forms of operator new and delete of mtlskit-report, replaced
// (as a program may: C++17 [replacement.functions]) so that large blocks sit
// on transparent huge pages. simdjson (outline.cc) allocates its buffers for
// a document with new[]: for a 14 MB result the tape, the strings and the
// structural indexes it touches come to some 17 MB, which in 4 KiB pages is
// over 4,000 page faults. On a virtual machine where a fault costs several
// microseconds, that is most of the time report diff takes (60 ms of the 64
// its first parse took, 4 ms of parsing); in 2 MiB pages it is a dozen
// faults. Where the kernel gives huge pages only to memory advised so
// (transparent_hugepage=madvise), large blocks are therefore aligned on
// 2 MiB and advised; small ones go to malloc as before. Every array form is
// replaced, so that each block is released by the allocator it came from.
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// allocate returns |size| bytes to be released with std::free, or NULL.
void *allocate(std::size_t size) noexcept {
  if (size < 2 * kHugePage) return std::malloc(size != 0 ? size : 1);
  void *p = nullptr;
  if (posix_memalign(&p, kHugePage, size) != 0) return nullptr;
  (void)madvise(p, size & ~(kHugePage - 1), MADV_HUGEPAGE);  // a hint
  return p;
}

}  // namespace

void *operator new[](std::size_t size) {
  void *p = allocate(size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void *operator new[](std::size_t size, const std::nothrow_t &) noexcept {
  return allocate(size);
}

void operator delete[](void *p) noexcept { std::free(p); }

void operator delete[](void *p, std::size_t) noexcept { std::free(p); }

void operator delete[](void *p, const std::nothrow_t &) noexcept {
  std::free(p);
}
