// main() of the FUSE kernel tests: they need root, /dev/fuse and the sandbox, and fail (never
// skip) without them. The sandbox is entered before GoogleTest starts any thread.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "ovl/fuse_targets.hpp"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--gtest_list_tests", 18) == 0) listing = true;
  if (!listing) {
    if (auto why = ovl::fuse_unavailable_reason()) {  // enters the sandbox when it can
      std::fprintf(stderr, "FUSE kernel tests cannot run: %s\n", why->c_str());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
