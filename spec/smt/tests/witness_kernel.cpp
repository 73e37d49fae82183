// The SAT witnesses of T2 and T4 on the running kernel (label kernel: root, real mounts in the
// runners' sandbox). The kernel must confirm each witness; a wrong expectation must not be.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "ovl/sandbox.hpp"
#include "ovl/smt_confirm.hpp"

namespace ovl::smt {
namespace {

ProveOptions opts() {
  ProveOptions o;
  o.solve.timeout_seconds = 60;
  return o;
}

void expect_confirmed(const TheoremRow& row) {
  ASSERT_TRUE(row.witness_case) << row.theorem << " " << row.semantics;
  for (auto& t : kernel_targets()) {
    Confirmation c = confirm_witness(row, *t);
    EXPECT_EQ(c.status, "confirmed") << row.theorem << " " << row.semantics << " on " << c.target << ": " << c.detail
                                     << "\n  mount " << row.witness_case->options;
  }
}

TEST(WitnessOnKernel, T2KernelRefusesTheAmbiguousString) {
  auto rows = prove("T2", opts());
  ASSERT_EQ(rows.size(), 1u);
  expect_confirmed(rows[0]);
}

TEST(WitnessOnKernel, T4CaptureAndResetHappenOnTheKernel) {
  auto rows = prove("T4", opts());
  ASSERT_EQ(rows.size(), 3u);
  expect_confirmed(rows[0]);  // R38: a regular lower serves the data-only redirect
  expect_confirmed(rows[1]);  // R39: an ancestor directory resets the flag: EIO
}

TEST(WitnessOnKernel, AWrongExpectationIsNotConfirmed) {
  auto rows = prove("T4", opts());
  ASSERT_TRUE(rows[0].witness_case);
  TheoremRow wrong = rows[0];
  // Claim the data-only layer's bytes instead of the capturing regular layer's.
  wrong.witness_case->expects.at(0).entry->content = std::string(64, '0');
  auto targets = kernel_targets();
  Confirmation c = confirm_witness(wrong, *targets.at(0));
  EXPECT_EQ(c.status, "NOT confirmed") << c.detail;
}

}  // namespace
}  // namespace ovl::smt

int main(int argc, char** argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--gtest_list_tests", 18) == 0) listing = true;
  if (!listing) {
    // Not being able to mount is a failure here, never a skip. The sandbox is entered before Z3
    // starts any timer thread (unshare needs a single-threaded process).
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
