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

// R6: an overlay may be a layer of another overlay, but not of a third level, and never an upper.
TEST(OptionDiffKernel, StackingDepth) {
  if (auto why = overlay_unavailable_reason()) FAIL() << "kernel tests need root and overlayfs: " << *why;
  Sandbox& sb = Sandbox::enter();
  const std::string base = sb.make_dir("options-depth");
  {
    OptionScratchDir scratch(base);
    const std::string ov1 = scratch.root() + "/ov1", ov2 = scratch.root() + "/ov2";
    std::filesystem::create_directories(ov1);
    std::filesystem::create_directories(ov2);
    ASSERT_TRUE(mount_legacy("lowerdir=a:b", ov1).ok);
    scratch.declare_overlay(ov1, 1);
    ASSERT_TRUE(mount_legacy("lowerdir=ov1:c", ov2).ok);
    scratch.declare_overlay(ov2, 2);
    const ParseContext pc = scratch.context();
    for (const std::string opts : {"lowerdir=ov1:c", "lowerdir=ov2:c", "lowerdir=c,upperdir=ov1,workdir=w",
                                   "lowerdir+=c,lowerdir+=ov2", "lowerdir=c:d,workdir=ov1"}) {
      for (bool fs : {false, true}) {
        OptionInput in;
        for (const auto& part : split_option_string(opts)) {
          auto eq = part.find('=');
          in.options.push_back({part.substr(0, eq), part.substr(eq + 1), false});
        }
        FsconfigOutcome model;
        if (fs)
          model = run_fsconfig(in.calls(), pc);
        else
          model.result = parse_mount_options(opts, pc);
        OptionVerdict v = compare_option_outcome(in, fs, model, kernel_mount_once(in, fs, scratch));
        EXPECT_TRUE(v.agree) << (fs ? "fsconfig " : "legacy ") << opts << ": " << v.field << " model " << v.model
                             << " kernel " << v.kernel;
      }
    }
    unmount(ov2);
    unmount(ov1);
  }
  sb.remove_tree(base);
}

}  // namespace
}  // namespace ovl::gen
