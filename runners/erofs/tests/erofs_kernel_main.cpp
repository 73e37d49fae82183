// main() of the erofs kernel tests: root, overlay, erofs and mkfs.erofs are required; the tests
// fail (never skip) without them. The sandbox is entered before GoogleTest starts any thread.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "ovl/erofs_target.hpp"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--gtest_list_tests", 18) == 0) listing = true;
  if (!listing) {
    ovl::ErofsTarget t;
    if (auto why = t.unavailable()) {  // enters the sandbox when it can
      std::fprintf(stderr, "erofs kernel tests cannot run: %s\n", why->c_str());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
