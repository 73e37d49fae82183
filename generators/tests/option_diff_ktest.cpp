// The differential test of the option language (label kernel): a fixed-seed batch of generated
// inputs through the running kernel, via legacy mount(2) and via fsopen/fsconfig, must agree with
// the model on accept/refuse, errno, failing call, message and the mountinfo options.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "ovl/option_gen_kernel.hpp"

namespace ovl::gen {
namespace {

constexpr std::uint64_t kSeed = 20261129;
constexpr std::size_t kInputs = 5000;  // per API; OVL_OPTION_INPUTS may lower it for a quick look

std::size_t inputs() {
  const char* e = std::getenv("OVL_OPTION_INPUTS");
  return e ? std::strtoul(e, nullptr, 10) : kInputs;
}

void run_batch(bool fsconfig, bool unprivileged = false) {
  if (auto why = overlay_unavailable_reason()) FAIL() << "kernel tests need root and overlayfs: " << *why;
  const std::size_t n = unprivileged ? inputs() / 5 : inputs();
  OptionCheckReport rep = run_option_check(kSeed, n, !fsconfig, fsconfig, 50, unprivileged);
  for (const auto& [rule, c] : rep.by_rule) std::printf("%-40s %6zu inputs %6zu agree\n", rule.c_str(), c.inputs, c.agree);
  EXPECT_EQ(rep.inputs, n);
  for (const auto& f : rep.findings) ADD_FAILURE() << f;
  EXPECT_EQ(rep.disagreements, 0u);
}

TEST(OptionDiffKernel, LegacyMountAgreesWithTheModel) { run_batch(false); }
TEST(OptionDiffKernel, FsconfigAgreesWithTheModel) { run_batch(true); }
// R59 for a mounter without CAP_SYS_ADMIN in the initial user namespace (1,000 inputs per API).
TEST(OptionDiffKernel, UserNamespaceLegacyAgreesWithTheModel) { run_batch(false, true); }
TEST(OptionDiffKernel, UserNamespaceFsconfigAgreesWithTheModel) { run_batch(true, true); }

}  // namespace
}  // namespace ovl::gen
