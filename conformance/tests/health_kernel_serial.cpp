// Kernel health in the run orchestrator: a warning planted in the kernel log while a target runs
// becomes an Error result with origin "health", named after the case that preceded it, written
// to results.jsonl and making `ovlspec run` exit non-zero. Needs root (/dev/kmsg).
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <cstring>
#include <sstream>

#include <gtest/gtest.h>

#include "ovl/case_format.hpp"
#include "ovl/health.hpp"
#include "ovl/run.hpp"
#include "ovl/tally.hpp"

namespace ovl {
namespace {

const char* kCase = R"(case health/one
clause lookup.attributes
mount lowerdir=A:B
layer A
  file /y "top\n"
layer B
  file /z "lower z\n"
expect /y reg content="top\n"
)";

// With its newline: a record without one stays unfinished (invisible to readers) until the next.
const char* kPlanted = "<4>WARNING: ovlspec planted test warning\n";

// Plants a kernel log line while "running" a case named `plant_on`; otherwise agrees with the model.
class PlantingTarget : public Target {
 public:
  explicit PlantingTarget(std::string plant_on) : plant_on_(std::move(plant_on)) {}
  std::string name() const override { return "planter"; }
  std::optional<std::string> unavailable() const override { return std::nullopt; }
  std::optional<std::string> cannot_run(const Case&) const override { return std::nullopt; }
  TargetOutcome run(const Case& c) override {
    if (c.name == plant_on_) {
      int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
      EXPECT_GE(fd, 0) << "cannot open /dev/kmsg for writing (root needed)";
      if (fd >= 0) {
        EXPECT_GT(write(fd, kPlanted, std::strlen(kPlanted)), 0);
        close(fd);
      }
    }
    TargetOutcome out;
    out.observation = predict(c, Semantics{}).observation;
    return out;
  }

 private:
  std::string plant_on_;
};

std::vector<RunCase> three_cases() {
  std::vector<RunCase> out;
  for (const char* n : {"health/one", "health/two", "health/three"}) {
    std::string text = kCase;
    text.replace(text.find("health/one"), 10, n);
    out.push_back({parse_case(text, "health.ovl"), "corpus", std::nullopt});
  }
  return out;
}

TEST(Health, KmsgIsReadable) {
  KernelHealth h;
  EXPECT_FALSE(h.unavailable()) << *h.unavailable();
}

TEST(Health, PlantedWarningIsAFindingNamedAfterThePrecedingCase) {
  auto cases = three_cases();
  PlantingTarget t("health/two");
  RunOptions opts;
  opts.batch = 1;
  opts.check_health = true;
  auto results = run_cases(cases, {&t}, opts, nullptr);
  int health = 0;
  for (const auto& r : results) {
    if (r.origin != "health") {
      EXPECT_EQ(r.verdict, Verdict::Pass) << r.case_name << ": " << r.reason;
      continue;
    }
    ++health;
    EXPECT_EQ(r.case_name, "health after health/two");
    EXPECT_EQ(r.verdict, Verdict::Error);
    EXPECT_EQ(r.target, "planter");
    EXPECT_NE(r.reason.find("WARNING: ovlspec planted test warning"), std::string::npos) << r.reason;
  }
  EXPECT_EQ(health, 1);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[2].origin, "health") << "the finding follows the case that preceded it";
}

TEST(Health, OffMeansNoFinding) {
  auto cases = three_cases();
  PlantingTarget t("health/one");
  RunOptions opts;
  opts.check_health = false;
  auto results = run_cases(cases, {&t}, opts, nullptr);
  for (const auto& r : results) EXPECT_NE(r.origin, "health");
}

TEST(Health, SuiteWritesTheFindingToResultsAndExitsOne) {
  auto root = std::filesystem::temp_directory_path() / ("ovlspec-health-" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "cases");
  std::ofstream(root / "cases" / "one.ovl") << kCase;
  SuiteConfig cfg;
  cfg.registry.add("model", "the model", [](const TargetContext& ctx) { return make_model_target(ctx.module); });
  cfg.registry.add("planter", "plants a warning",
                   [](const TargetContext&) { return std::make_unique<PlantingTarget>("health/one"); });
  cfg.targets = {"planter"};
  cfg.cases_dir = root / "cases";
  cfg.out_dir = root / "out";
  std::ostringstream progress, out;
  SuiteOutcome o = run_suite(cfg, progress, out);
  EXPECT_EQ(o.exit_code, 1);
  auto f = read_results(root / "out" / "results.jsonl");
  bool found = false;
  for (const auto& r : f.results)
    if (r.origin == "health" && r.reason.find("planted test warning") != std::string::npos) found = true;
  EXPECT_TRUE(found);
  std::ifstream md(root / "out" / "summary.md");
  std::stringstream ss;
  ss << md.rdbuf();
  EXPECT_NE(ss.str().find("health after health/one"), std::string::npos) << ss.str();
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace ovl
