// Kernel feature detection, skips with reasons, the fsconfig translation, fd layers and the
// kernel's messages for refused mounts.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include "ovl/features.hpp"
#include "ovl/kernel_mount.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/materialize.hpp"
#include "ovl/predict.hpp"
#include "ovl/sandbox.hpp"
#include "rule_cases.hpp"

namespace ovl {
namespace {

TEST(Features, EveryFeatureOfThisReleaseWorksWhenTried) {
  KernelFeatures f = detect_kernel_features();
  ASSERT_TRUE(f.overlay);
  EXPECT_FALSE(f.release.empty());
  auto has = [&](KernelVersion since) { return f.version >= since; };
  EXPECT_TRUE(f.new_mount_api);
  EXPECT_EQ(f.data_only_layers, has({6, 5}));
  EXPECT_EQ(f.lowerdir_plus, has({6, 7}));
  EXPECT_EQ(f.xattr_whiteouts, has({6, 7}));
  EXPECT_EQ(f.fd_layers, has({6, 13}));
  EXPECT_EQ(f.level, f.version) << "a feature failed when tried: " << (f.notes.empty() ? "" : f.notes[0]);
  EXPECT_TRUE(f.notes.empty());
  ModuleParams m = module_params();
  EXPECT_GT(m.redirect_max, 0);
}

TEST(KernelTarget, SkipsWithAReason) {
  KernelTarget t(MountApi::Legacy);
  Case c = test::CaseBuilder("future", "lowerdir=A:B").dir("A", "/a").dir("B", "/b").build();
  c.min_kernel = KernelVersion{99, 0};
  auto why = t.cannot_run(c);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("needs kernel 99.0"), std::string::npos) << *why;
  TargetOutcome o = t.run(c);
  EXPECT_EQ(o.kind, TargetOutcome::Kind::Skipped);
  EXPECT_EQ(o.reason, *why);
  c.min_kernel.reset();
  c.semantics = {"data-only-middle"};
  why = t.cannot_run(c);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("data-only-middle"), std::string::npos);
  c.semantics.clear();
  EXPECT_EQ(t.cannot_run(c), std::nullopt);
  EXPECT_EQ(t.name(), "kernel");
  EXPECT_EQ(KernelTarget(MountApi::Fsconfig).name(), "kernel-fsconfig");
}

TEST(KernelTarget, FsconfigTranslationUsesLowerdirPlusAndDatadirPlus) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("fscalls");
  for (const char* l : {"A", "B", "C"}) materialize_layer(Layer(), base, l);
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(base.c_str()), 0);
  auto calls = fsconfig_calls_for("lowerdir=A:B::C,metacopy=on");
  ASSERT_EQ(chdir(cwd), 0);
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& c : calls) got.emplace_back(c.key, c.value);
  std::vector<std::pair<std::string, std::string>> want = {
      {"lowerdir+", "A"}, {"lowerdir+", "B"}, {"datadir+", "C"}, {"metacopy", "on"}};
  EXPECT_EQ(got, want);
  sb.remove_tree(base);
}

// A case given as an fsconfig sequence with descriptor layers (6.13+).
TEST(KernelTarget, FdLayersThroughFsconfig) {
  Case c = test::CaseBuilder("fd-layers", "")
               .file("A", "/a", "a")
               .node("A", "/w", Node::chardev(0, 0))
               .file("B", "/w", "hidden")
               .file("B", "/b", "b")
               .build();
  c.fsconfig = std::vector<FsconfigCall>{{FsconfigCall::Kind::Fd, "lowerdir+", "A"},
                                         {FsconfigCall::Kind::Fd, "lowerdir+", "B"}};
  KernelTarget legacy(MountApi::Legacy), fs(MountApi::Fsconfig);
  EXPECT_TRUE(legacy.cannot_run(c).has_value()) << "the legacy API cannot express an fsconfig sequence";
  TargetOutcome o = fs.run(c);
  ASSERT_EQ(o.kind, TargetOutcome::Kind::Observed) << o.reason;
  ASSERT_TRUE(o.observation.mount.ok) << o.observation.mount.err << " " << o.observation.mount.message;
  Prediction p = predict(c, Semantics{}, module_params());
  auto divs = diff(p.observation, o.observation, {}, p.clauses);
  for (const auto& d : divs) ADD_FAILURE() << d.path << " " << d.field << ": model " << d.model << ", kernel " << d.target;
  EXPECT_EQ(*o.observation.find("/")->children, (std::vector<std::string>{"a", "b"}));
}

TEST(KernelMount, RefusalsCarryTheKernelsWords) {
  Sandbox& sb = Sandbox::enter();
  std::string base = sb.make_dir("refusal");
  materialize_layer(Layer(), base, "A");
  std::string mp = base + "/m";
  ASSERT_EQ(mkdir(mp.c_str(), 0755), 0);
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(base.c_str()), 0);
  MountAttempt legacy = mount_legacy("lowerdir=A", mp);
  MountAttempt fs = mount_fsconfig({{FsconfigCall::Kind::String, "lowerdir+", "A"}}, mp);
  MountAttempt bad = mount_fsconfig({{FsconfigCall::Kind::String, "nosuchkey", "1"}}, mp);
  ASSERT_EQ(chdir(cwd), 0);
  EXPECT_FALSE(legacy.ok);
  EXPECT_EQ(legacy.err, EINVAL);
  EXPECT_NE(legacy.message.find("at least 2 lowerdir"), std::string::npos) << "dmesg: " << legacy.message;
  EXPECT_FALSE(fs.ok);
  EXPECT_EQ(fs.err, EINVAL);
  EXPECT_EQ(fs.failed_call, "FSCONFIG_CMD_CREATE");
  EXPECT_NE(fs.message.find("at least 2 lowerdir"), std::string::npos) << "fs_context log: " << fs.log;
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.failed_call, "fsconfig nosuchkey");
  EXPECT_NE(bad.message.find("nosuchkey"), std::string::npos) << bad.log;
  sb.remove_tree(base);
}

}  // namespace
}  // namespace ovl
