// Limits of the FUSE targets: every daemon runs under a memory limit (RLIMIT_DATA), a daemon that
// exhausts it is an Error saying so, and a daemon stopped with SIGSTOP during `ovlspec run`'s
// own path (run_suite: corpus → targets → results.jsonl → reports) makes that one case an Error
// while the run goes on, with no daemon and no mount left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "fuse_test_util.hpp"
#include "ovl/fuse_daemon.hpp"
#include "ovl/fuse_targets.hpp"
#include "ovl/limited_predict.hpp"
#include "ovl/run.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

namespace fs = std::filesystem;
using fuse_test::make_case;

Case small_case() {
  Layer a, b;
  a.put("/d/x", Node::file("x"));
  b.put("/d/y", Node::file("y"));
  return make_case("small", "lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}});
}

// "Max data size" of a process in bytes (-1: unlimited or unreadable).
long long data_limit_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max data size", 0) != 0) continue;
    std::istringstream ls(line.substr(13));
    std::string soft;
    ls >> soft;
    return soft == "unlimited" ? -1 : std::stoll(soft);
  }
  return -1;
}

using fuse_test::eventually;
using fuse_test::fuse_mounts_here;
using fuse_test::process_gone;

TEST(FuseLimits, FuseOverlayfsRunsUnderTheMemoryLimit) {
  FuseTargetOptions o;
  o.base.memory_limit_mib = 200;
  long long seen = 0;
  o.after_mount = [&](pid_t pid) { seen = data_limit_of(pid); };
  TargetOutcome out = make_fuse_overlayfs_target(o)->run(small_case());
  EXPECT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
  EXPECT_EQ(seen, 200LL * 1024 * 1024);
}

TEST(FuseLimits, ModelFuseDaemonRunsUnderAMemoryLimit) {
  if (auto why = fork_memory_limit_unsupported()) GTEST_SKIP() << *why;
  FuseTargetOptions o;
  o.base.memory_limit_mib = 200;
  long long seen = 0;
  o.after_mount = [&](pid_t pid) { seen = data_limit_of(pid); };
  TargetOutcome out = make_model_fuse_target(o)->run(small_case());
  EXPECT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
  // What it inherited plus 200 MiB: finite, and at least the 200 MiB it may add.
  EXPECT_GE(seen, 200LL * 1024 * 1024);
  EXPECT_LT(seen, 64LL * 1024 * 1024 * 1024);
}

// fuse-overlayfs with 1 or 2 MiB of data and a directory of 3000 files: it dies on a request
// (1 MiB) or answers ENOMEM (2 MiB). Either way an Error naming the limit, never a divergence.
TEST(FuseLimits, FuseOverlayfsOutOfMemoryIsAnErrorSayingSo) {
  Layer a, b;
  for (int i = 0; i < 3000; ++i) a.put("/d/f" + std::to_string(i), Node::file(""));
  b.put("/g", Node::file("g"));
  Case c = make_case("wide", "lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}});
  for (std::size_t mib : {1, 2}) {
    FuseTargetOptions o;
    o.base.memory_limit_mib = mib;
    o.base.case_timeout_seconds = 10;
    TargetOutcome out = make_fuse_overlayfs_target(o)->run(c);
    EXPECT_EQ(out.kind, TargetOutcome::Kind::Error) << mib << ": " << fuse_test::kind_name(out) << " " << out.reason;
    EXPECT_NE(out.reason.find("memory limit of " + std::to_string(mib) + " MiB exceeded"), std::string::npos)
        << out.reason;
    EXPECT_EQ(fuse_mounts_here(), 0u);
  }
  // With the default limit the same case is observed.
  TargetOutcome fine = make_fuse_overlayfs_target({})->run(c);
  EXPECT_EQ(fine.kind, TargetOutcome::Kind::Observed) << fine.reason;
}

// 300 layers of a few files: above the in-process prediction bound, quick to predict and probe.
Case many_layers_case() {
  std::vector<std::pair<std::string, Layer>> layers;
  std::string options = "lowerdir=";
  for (int i = 0; i < 300; ++i) {
    Layer l;
    l.put("/d/f" + std::to_string(i), Node::file(std::to_string(i)));
    l.put("/s" + std::to_string(i % 5), Node::file("layer " + std::to_string(i)));
    options += (i ? ":L" : "L") + std::to_string(i);
    layers.emplace_back("L" + std::to_string(i), std::move(l));
  }
  return make_case("many-layers", options, std::move(layers));
}

// A large case: model-fuse's daemon builds the model itself, under its limits, and agrees with it.
TEST(FuseLimits, ModelFuseServesALargeCaseBuiltInTheDaemon) {
  Case c = many_layers_case();
  ASSERT_GT(prediction_cost(c), PredictLimits{}.in_process_max_cost);
  TargetOutcome out = make_model_fuse_target({})->run(c);
  ASSERT_EQ(out.kind, TargetOutcome::Kind::Observed) << out.reason;
  EXPECT_EQ(fuse_test::divergences(c, out), "");
  EXPECT_EQ(fuse_mounts_here(), 0u);
}

// Two layers of 40,000 files: its prediction needs far more than 16 MiB, whatever free heap the
// forked child inherits (a relative limit counts only new mappings).
TEST(FuseLimits, ModelFuseLargeCaseOverItsMemoryLimitIsAnError) {
  if (auto why = fork_memory_limit_unsupported()) GTEST_SKIP() << *why;
  Layer a, b;
  for (int k = 0; k < 40000; ++k) {
    a.put("/d/a" + std::to_string(k), Node::file("a"));
    b.put("/d/b" + std::to_string(k), Node::file("b"));
  }
  Case c = make_case("wide", "lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}});
  ASSERT_GT(prediction_cost(c), PredictLimits{}.in_process_max_cost);
  FuseTargetOptions o;
  o.base.memory_limit_mib = 16;
  TargetOutcome out = make_model_fuse_target(o)->run(c);
  EXPECT_EQ(out.kind, TargetOutcome::Kind::Error) << fuse_test::kind_name(out);
  EXPECT_NE(out.reason.find("memory limit of 16 MiB exceeded"), std::string::npos) << out.reason;
  EXPECT_EQ(fuse_mounts_here(), 0u);
}

std::string allocate_forever() {
  std::vector<std::vector<char>> blocks;
  for (;;) {
    blocks.emplace_back(1 << 20);
    std::memset(blocks.back().data(), 1, blocks.back().size());
  }
}

TEST(FuseLimits, AForkedDaemonOutOfMemoryExitsSayingSo) {
  if (auto why = fork_memory_limit_unsupported()) GTEST_SKIP() << *why;
  FuseDaemon d = FuseDaemon::fork_function([] { return static_cast<int>(allocate_forever().size()); }, "", 32);
  ASSERT_TRUE(eventually([&] { return d.poll_exit().exited; }, 20));
  EXPECT_TRUE(d.poll_exit().out_of_memory);
  EXPECT_EQ(d.poll_exit().describe().rfind("memory limit of 32 MiB exceeded (exit status 86", 0), 0u)
      << d.poll_exit().describe();
}

// A bad_alloc escaping where no handler can catch it (as through libfuse's C frames) still
// ends the daemon with the out-of-memory status, through the terminate handler.
void no_catch() noexcept { (void)allocate_forever(); }

TEST(FuseLimits, ABadAllocThroughTerminateIsStillOutOfMemory) {
  if (auto why = fork_memory_limit_unsupported()) GTEST_SKIP() << *why;
  FuseDaemon d = FuseDaemon::fork_function([] { no_catch(); return 0; }, "", 32);
  ASSERT_TRUE(eventually([&] { return d.poll_exit().exited; }, 20));
  EXPECT_TRUE(d.poll_exit().out_of_memory) << d.poll_exit().describe();
}

// The suite path: three corpus files through `model-fuse`; the daemon of the second is stopped
// with SIGSTOP once mounted. That case is an Error with the reason, the others pass, the run
// finishes with exit code 1, and no daemon and no FUSE mount is left.
TEST(FuseLimits, SigstoppedDaemonDuringRunSuiteIsOneErrorAndTheRunGoesOn) {
  fs::path dir = fs::temp_directory_path() / ("ovlspec-stuck-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "cases");
  for (const char* n : {"a", "b", "c"})
    std::ofstream(dir / "cases" / (std::string(n) + ".ovl"))
        << "case stuck/" << n << "\nclause lookup.attributes\nmount lowerdir=A:B\nlayer A\n  file /f \"" << n
        << "\"\nlayer B\n  file /g\n";
  std::vector<pid_t> daemons;
  SuiteConfig cfg;
  cfg.registry.add("model", "the model", [](const TargetContext& ctx) { return make_model_target(ctx.module); });
  cfg.registry.add("model-fuse", "model-fuse, second daemon stopped", [&daemons](const TargetContext& ctx) {
    FuseTargetOptions o;
    o.base = ctx.options;
    o.after_mount = [&daemons](pid_t pid) {
      daemons.push_back(pid);
      if (daemons.size() == 2) kill(pid, SIGSTOP);
    };
    return make_model_fuse_target(o);
  });
  cfg.targets = {"model-fuse"};
  cfg.cases_dir = dir / "cases";
  cfg.out_dir = dir / "out";
  cfg.target_options.case_timeout_seconds = 2;
  cfg.check_health = false;  // other tests may plant kernel warnings; not this test's subject
  std::ostringstream progress, out;
  auto t0 = std::chrono::steady_clock::now();
  SuiteOutcome o = run_suite(cfg, progress, out);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(o.exit_code, 1) << out.str();
  EXPECT_LT(took, 15.0);
  int pass = 0, error = 0;
  for (const auto& r : o.results.results) {
    if (r.target != "model-fuse") continue;
    if (r.verdict == Verdict::Pass) ++pass;
    if (r.verdict == Verdict::Error) {
      ++error;
      EXPECT_EQ(r.case_name, "stuck/b");
      EXPECT_NE(r.reason.find("time limit"), std::string::npos) << r.reason;
      EXPECT_NE(r.reason.find("mount detached"), std::string::npos) << r.reason;
    }
  }
  EXPECT_EQ(pass, 2) << out.str();
  EXPECT_EQ(error, 1) << out.str();
  ASSERT_EQ(daemons.size(), 3u);
  for (pid_t p : daemons) EXPECT_TRUE(eventually([&] { return process_gone(p); }, 2)) << "daemon " << p << " survived";
  EXPECT_EQ(fuse_mounts_here(), 0u);
  EXPECT_TRUE(fs::exists(cfg.out_dir / "index.html"));
  std::ifstream results(cfg.out_dir / "results.jsonl");
  std::stringstream ss;
  ss << results.rdbuf();
  EXPECT_NE(ss.str().find("stuck/b"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ovl
