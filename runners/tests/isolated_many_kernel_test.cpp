// run_isolated_many: one child for many jobs, per-job time limits, a failing job failing alone,
// mounts dying with the child; and KernelTarget::run_many giving what run() gives case by case.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <new>
#include <thread>
#include <vector>

#include "ovl/isolated_many.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/features.hpp"
#include "ovl/predict.hpp"
#include "ovl/sandbox.hpp"
#include "rule_cases.hpp"

namespace ovl {
namespace {

bool mounted_here(const std::string& dir) {
  std::ifstream in("/proc/self/mounts");
  std::string line;
  while (std::getline(in, line))
    if (line.find(" " + dir + " ") != std::string::npos) return true;
  return false;
}

TEST(IsolatedMany, OneChildRunsTheJobsInOrder) {
  auto r = run_isolated_many(5, [](std::size_t i) { return std::to_string(i) + ":" + std::to_string(getpid()); },
                             ChildLimits{10, 256});
  ASSERT_EQ(r.size(), 5u);
  std::string pid;
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSERT_TRUE(r[i].ok) << r[i].error;
    auto colon = r[i].output.find(':');
    EXPECT_EQ(r[i].output.substr(0, colon), std::to_string(i));
    if (i == 0) pid = r[i].output.substr(colon + 1);
    EXPECT_EQ(r[i].output.substr(colon + 1), pid) << "a new child for job " << i;
  }
  EXPECT_NE(pid, std::to_string(getpid()));
}

TEST(IsolatedMany, AFailingJobFailsAloneAndTheRestRun) {
  auto r = run_isolated_many(
      6,
      [](std::size_t i) -> std::string {
        if (i == 1) throw std::runtime_error("job one refuses");
        if (i == 2) std::this_thread::sleep_for(std::chrono::seconds(30));
        if (i == 3) raise(SIGSEGV);
        if (i == 4) throw std::bad_alloc();
        return "fine " + std::to_string(i);
      },
      ChildLimits{1.0, 256});
  ASSERT_EQ(r.size(), 6u);
  EXPECT_TRUE(r[0].ok);
  EXPECT_EQ(r[0].output, "fine 0");
  EXPECT_FALSE(r[1].ok);
  EXPECT_EQ(r[1].error, "job one refuses");
  EXPECT_FALSE(r[2].ok);
  EXPECT_TRUE(r[2].timed_out);
  EXPECT_LT(r[2].seconds, 5.0);
  EXPECT_FALSE(r[3].ok);
  EXPECT_NE(r[3].error.find("signal"), std::string::npos) << r[3].error;
  EXPECT_FALSE(r[4].ok);
  EXPECT_TRUE(r[4].memory_exceeded);
  EXPECT_TRUE(r[5].ok) << r[5].error;
  EXPECT_EQ(r[5].output, "fine 5");
}

TEST(IsolatedMany, MountsDieWithTheChild) {
  Sandbox& sb = Sandbox::enter();
  std::string dir = sb.make_dir("many-mounts");
  auto r = run_isolated_many(
      2,
      [&](std::size_t) -> std::string {
        if (mount("t", dir.c_str(), "tmpfs", 0, nullptr) != 0) throw std::runtime_error("mount failed");
        return mounted_here(dir) ? "mounted" : "not mounted";
      },
      ChildLimits{10, 256});
  EXPECT_EQ(r[0].output, "mounted");
  EXPECT_FALSE(mounted_here(dir)) << "the child's tmpfs is visible in the parent";
  sb.remove_tree(dir);
}

TEST(KernelTarget, RunManyGivesWhatRunGivesCaseByCase) {
  KernelTarget t(MountApi::Legacy);
  std::vector<Case> cases = {
      test::CaseBuilder("merge", "lowerdir=A:B").file("A", "/d/a", "a\n").file("B", "/d/b", "b\n").build(),
      test::CaseBuilder("refused", "lowerdir=A,bogus_option").dir("A", "/x").build(),
      test::CaseBuilder("whiteout", "lowerdir=A:B")
          .node("A", "/gone", Node::chardev(0, 0))
          .file("B", "/gone", "hidden\n")
          .file("B", "/kept", "kept\n")
          .build(),
      test::CaseBuilder("bad-name", "lowerdir=A:B").file("A", "/ok", "x\n").build(),
  };
  cases[3].layers[0].second->root().children.emplace("..", std::make_unique<Node>(Node::file("escape")));
  std::vector<const Case*> ptrs;
  for (const auto& c : cases) ptrs.push_back(&c);
  auto many = t.run_many(ptrs);
  ASSERT_EQ(many.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    TargetOutcome one = t.run(cases[i]);
    EXPECT_EQ(many[i].kind, one.kind) << cases[i].name << ": " << many[i].reason << " / " << one.reason;
    EXPECT_EQ(many[i].reason, one.reason) << cases[i].name;
    EXPECT_EQ(to_json(many[i].observation).dump(), to_json(one.observation).dump()) << cases[i].name;
  }
  EXPECT_EQ(many[0].kind, TargetOutcome::Kind::Observed);
  EXPECT_FALSE(many[1].observation.mount.ok);
  EXPECT_EQ(many[3].kind, TargetOutcome::Kind::Error);
  EXPECT_NE(many[3].reason.find("materializing the case"), std::string::npos) << many[3].reason;
}

TEST(KernelTarget, NamesThatAreNotUtf8ComeBackFromTheChildIntact) {
  const std::string name = "bad\xff\xfe";
  Case c = test::CaseBuilder("not-utf8", "lowerdir=A:B").file("A", "/" + name, "x\n").dir("B", "/d").build();
  KernelTarget t(MountApi::Legacy);
  for (const auto& o : {t.run(c), t.run_many({&c, &c})[1]}) {
    ASSERT_EQ(o.kind, TargetOutcome::Kind::Observed) << o.reason;
    const Entry* e = o.observation.find("/" + name);
    ASSERT_NE(e, nullptr) << "the name was lost or mangled";
    EXPECT_EQ(e->type, NodeType::Reg);
    Semantics sem;
    sem.kernel = t.level();
    EXPECT_TRUE(diff(predict(c, sem, module_params()).observation, o.observation).empty());
  }
}

}  // namespace
}  // namespace ovl
