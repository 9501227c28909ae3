// malloc_trim, which Glibc's Swift module leaves out: pools return the free pages of the
// C allocator's heaps after a trim.
#include <malloc.h>
