// main() of the kernel tests: enters the sandbox before GoogleTest starts (and before any
// thread exists), except when CTest only lists the tests.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "ovl/sandbox.hpp"

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--gtest_list_tests", 18) == 0) listing = true;
  if (!listing) {
    // Not being able to mount is a failure here, never a skip: CI runs these as root.
    if (auto why = ovl::overlay_unavailable_reason()) {
      std::fprintf(stderr, "kernel tests cannot run: %s\n", why->c_str());
      return 1;
    }
    try {
      ovl::Sandbox::enter();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kernel tests cannot enter the sandbox: %s\n", e.what());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
