// main() of the kernel tests: enters the sandbox before GoogleTest starts (and before any
// thread exists), except when CTest only lists the tests.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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
    // The witness stays in the host mount namespace, so tests can read the host's mount table.
    pid_t witness = fork();
    if (witness == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) pause();
    }
    setenv("OVL_HOST_WITNESS_PID", std::to_string(witness).c_str(), 1);
    try {
      ovl::Sandbox::enter();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "kernel tests cannot enter the sandbox: %s\n", e.what());
      return 1;
    }
  }
  ::testing::InitGoogleTest(&argc, argv);
  int rc = RUN_ALL_TESTS();
  if (const char* w = std::getenv("OVL_HOST_WITNESS_PID")) {
    kill(std::atoi(w), SIGKILL);
    waitpid(std::atoi(w), nullptr, 0);
  }
  return rc;
}
