// The run orchestrator against the model target and fake targets: verdicts, skips with reasons,
// harness errors, results.jsonl and the reports, exit codes.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "ovl/case_format.hpp"
#include "ovl/run.hpp"
#include "ovl/tally.hpp"

namespace ovl {
namespace {

const char* kWhiteoutCase = R"(case whiteout/chardev-hides
clause whiteout.chardev
mount lowerdir=A:B
layer A
  whiteout /x
  file /y "top\n"
layer B
  file /x "lower x\n"
  file /y "lower y\n"
  file /z "lower z\n"
expect /x absent
expect /y reg content="top\n"
)";

const char* kBadExpectCase = R"(case lookup/wrong-expectation
clause lookup.attributes
mount lowerdir=A:B
layer A
  file /y "top\n"
layer B
  file /y "lower y\n"
expect /y reg content="lower y\n"
)";

const char* kProposalCase = R"(case proposal/dslash
clause proposal.dslash-redirect.resolve
semantics dslash-redirect
mount lowerdir=A::D,metacopy=on
layer A
  file /foo "" size=5 metacopy redirect=//blob
layer D
  file /blob "blob\n"
)";

const char* kNewKernelCase = R"(case data-only/needs-6.5
clause data.resolve
kernel >= 6.5
mount lowerdir=A::D
layer A
  file /a "a\n"
layer D
  file /d "d\n"
expect /a reg
)";

RunCase rc(const char* text) { return {parse_case(text, "mem.ovl"), "corpus", std::nullopt}; }

/// A target that answers with the model's own prediction, optionally spoiled.
class FakeTarget : public Target {
 public:
  explicit FakeTarget(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  std::optional<std::string> unavailable() const override { return unavailable_; }
  std::optional<std::string> cannot_run(const Case& c) const override {
    if (c.name == cannot_run_name_) return std::string("this fake cannot run it");
    return std::nullopt;
  }
  TargetOutcome run(const Case& c) override {
    ++runs;
    if (throw_) throw std::runtime_error("fake exploded");
    TargetOutcome out;
    if (c.name == error_name_) {
      out.kind = TargetOutcome::Kind::Error;
      out.reason = "timeout after 30 s";
      return out;
    }
    out.observation = predict(c, Semantics{}).observation;
    if (spoil_) {
      for (auto& e : out.observation.entries)
        if (e.path == "/y") e.content = "0000";
    }
    out.seconds = 0.25;
    return out;
  }
  std::vector<TargetOutcome> run_many(const std::vector<const Case*>& cases) override {
    auto out = Target::run_many(cases);
    if (drop_one_ && !out.empty()) out.pop_back();
    return out;
  }

  int runs = 0;
  std::string name_;
  std::optional<std::string> unavailable_;
  std::string cannot_run_name_, error_name_;
  bool spoil_ = false, throw_ = false, drop_one_ = false;
};

const Result& find(const std::vector<Result>& rs, const std::string& target, const std::string& name) {
  for (const auto& r : rs)
    if (r.target == target && r.case_name == name) return r;
  throw std::runtime_error("no result for " + target + " " + name);
}

TEST(RunCases, ModelTargetChecksExpectations) {
  auto model = make_model_target();
  std::vector<RunCase> cases{rc(kWhiteoutCase), rc(kBadExpectCase)};
  auto rs = run_cases(cases, {model.get()}, {}, nullptr);
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(find(rs, "model", "whiteout/chardev-hides").verdict, Verdict::Pass);
  const Result& bad = find(rs, "model", "lookup/wrong-expectation");
  EXPECT_EQ(bad.verdict, Verdict::Fail);
  ASSERT_EQ(bad.failed_expectations.size(), 1u);
  EXPECT_NE(bad.failed_expectations[0].find("mem.ovl:8"), std::string::npos) << bad.failed_expectations[0];
  EXPECT_TRUE(bad.divergences.empty());
  EXPECT_TRUE(bad.model_observation && bad.target_observation);
  EXPECT_EQ(bad.semantics, "kernel-6.18");
  EXPECT_EQ(bad.clauses, std::vector<std::string>{"lookup.attributes"});
}

TEST(RunCases, DivergenceFailsWithFieldClausesAndReproducer) {
  FakeTarget fake("fake");
  fake.spoil_ = true;
  std::vector<RunCase> cases{rc(kWhiteoutCase)};
  auto rs = run_cases(cases, {&fake}, {}, nullptr);
  ASSERT_EQ(rs.size(), 1u);
  const Result& r = rs[0];
  EXPECT_EQ(r.verdict, Verdict::Fail);
  ASSERT_EQ(r.divergences.size(), 1u);
  EXPECT_EQ(r.divergences[0].path, "/y");
  EXPECT_EQ(r.divergences[0].field, "content");
  EXPECT_EQ(r.divergences[0].target, "0000");
  EXPECT_FALSE(r.divergences[0].clauses.empty());
  // The expectation on /y fails against the spoiled observation too.
  EXPECT_EQ(r.failed_expectations.size(), 1u);
  EXPECT_NE(r.reproducer.find("mount"), std::string::npos) << r.reproducer;
  EXPECT_DOUBLE_EQ(r.seconds, 0.25);
  fake.spoil_ = false;
  rs = run_cases(cases, {&fake}, {}, nullptr);
  EXPECT_EQ(rs[0].verdict, Verdict::Pass);
  EXPECT_FALSE(rs[0].model_observation);  // kept only on failure by default
}

TEST(RunCases, UnavailableTargetSkipsEveryCaseWithReason) {
  FakeTarget fake("fuse-fake");
  fake.unavailable_ = "fuse-fake is not installed";
  std::vector<RunCase> cases{rc(kWhiteoutCase), rc(kBadExpectCase)};
  auto rs = run_cases(cases, {&fake}, {}, nullptr);
  ASSERT_EQ(rs.size(), 2u);
  for (const auto& r : rs) {
    EXPECT_EQ(r.verdict, Verdict::Skip);
    EXPECT_EQ(r.reason, "target unavailable: fuse-fake is not installed");
  }
  EXPECT_EQ(fake.runs, 0);
}

TEST(RunCases, SkipRulesProposalsLevelsAndCannotRun) {
  FakeTarget fake("fake");
  fake.cannot_run_name_ = "whiteout/chardev-hides";
  auto model = make_model_target();
  std::vector<RunCase> cases{rc(kWhiteoutCase), rc(kProposalCase), rc(kNewKernelCase)};
  RunOptions opts;
  opts.kernel = KernelVersion{6, 1};
  auto rs = run_cases(cases, {model.get(), &fake}, opts, nullptr);
  ASSERT_EQ(rs.size(), 6u);
  EXPECT_EQ(find(rs, "fake", "whiteout/chardev-hides").reason, "this fake cannot run it");
  EXPECT_EQ(find(rs, "fake", "proposal/dslash").verdict, Verdict::Skip);
  EXPECT_NE(find(rs, "fake", "proposal/dslash").reason.find("dslash-redirect, which no kernel implements"),
            std::string::npos);
  // The model runs proposal cases under the proposal.
  EXPECT_NE(find(rs, "model", "proposal/dslash").verdict, Verdict::Skip);
  EXPECT_EQ(find(rs, "model", "proposal/dslash").semantics, "kernel-6.1+dslash-redirect");
  for (const char* t : {"model", "fake"}) {
    const Result& r = find(rs, t, "data-only/needs-6.5");
    EXPECT_EQ(r.verdict, Verdict::Skip) << t;
    EXPECT_EQ(r.reason, "needs kernel >= 6.5; compared at level 6.1") << t;
  }
  EXPECT_EQ(find(rs, "model", "whiteout/chardev-hides").verdict, Verdict::Pass);
}

TEST(RunCases, HarnessFailuresAreErrorsNeverPasses) {
  std::vector<RunCase> cases{rc(kWhiteoutCase), rc(kBadExpectCase)};
  FakeTarget timeouts("fake");
  timeouts.error_name_ = "whiteout/chardev-hides";
  auto rs = run_cases(cases, {&timeouts}, {}, nullptr);
  EXPECT_EQ(find(rs, "fake", "whiteout/chardev-hides").verdict, Verdict::Error);
  EXPECT_EQ(find(rs, "fake", "whiteout/chardev-hides").reason, "timeout after 30 s");
  FakeTarget thrower("fake");
  thrower.throw_ = true;
  rs = run_cases(cases, {&thrower}, {}, nullptr);
  for (const auto& r : rs) {
    EXPECT_EQ(r.verdict, Verdict::Error);
    EXPECT_EQ(r.reason, "the target threw: fake exploded");
  }
  FakeTarget dropper("fake");
  dropper.drop_one_ = true;
  rs = run_cases(cases, {&dropper}, {}, nullptr);
  for (const auto& r : rs) EXPECT_EQ(r.reason, "the target returned 1 outcomes for 2 cases");
}

TEST(RunCases, BatchesKeepCaseOrderPerTargetAndReportProgress) {
  auto model = make_model_target();
  FakeTarget fake("fake");
  std::vector<RunCase> cases{rc(kWhiteoutCase), rc(kBadExpectCase), rc(kNewKernelCase)};
  RunOptions opts;
  opts.batch = 2;
  std::vector<std::pair<std::size_t, std::size_t>> calls;
  opts.on_progress = [&](std::size_t d, std::size_t t, const std::vector<Result>& so_far) {
    calls.push_back({d, t});
    EXPECT_EQ(so_far.size(), d * 2);
  };
  auto rs = run_cases(cases, {model.get(), &fake}, opts, nullptr);
  ASSERT_EQ(rs.size(), 6u);
  std::vector<std::string> order;
  for (const auto& r : rs) order.push_back(r.target + " " + r.case_name);
  EXPECT_EQ(order, (std::vector<std::string>{"model whiteout/chardev-hides", "model lookup/wrong-expectation",
                                             "fake whiteout/chardev-hides", "fake lookup/wrong-expectation",
                                             "model data-only/needs-6.5", "fake data-only/needs-6.5"}));
  EXPECT_EQ(calls, (std::vector<std::pair<std::size_t, std::size_t>>{{2, 3}, {3, 3}}));
}

// --- run_suite: corpus dir → results.jsonl + reports, exit codes -------------------------------

struct SuiteDir {
  std::filesystem::path root;
  SuiteDir() {
    root = std::filesystem::temp_directory_path() / ("ovl_run_suite_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root / "cases/whiteout");
    std::ofstream(root / "cases/whiteout/chardev-hides.ovl") << kWhiteoutCase;
  }
  ~SuiteDir() { std::filesystem::remove_all(root); }
};

SuiteConfig suite_config(const SuiteDir& d, FakeTarget** fake_out) {
  SuiteConfig cfg;
  cfg.registry = builtin_targets();
  cfg.registry.add("fake", "a test double", [fake_out](const TargetContext&) {
    auto t = std::make_unique<FakeTarget>("fake");
    *fake_out = t.get();
    return t;
  });
  cfg.targets = {"fake"};
  cfg.cases_dir = d.root / "cases";
  cfg.out_dir = d.root / "out";
  cfg.spec_file = OVLSPEC_SOURCE_DIR "/spec/overlay-lookup.md";
  cfg.ovlspec_version = "0.1.0";
  cfg.kernel_release = "6.18.44-test";
  return cfg;
}

TEST(RunSuite, ConformingRunExitsZeroAndWritesEveryReport) {
  SuiteDir d;
  FakeTarget* fake = nullptr;
  SuiteConfig cfg = suite_config(d, &fake);
  std::ostringstream progress, out;
  SuiteOutcome o = run_suite(cfg, progress, out);
  EXPECT_EQ(o.exit_code, 0) << out.str();
  for (const char* f : {"results.jsonl", "junit.xml", "ktap.txt", "summary.md", "index.html"})
    EXPECT_TRUE(std::filesystem::exists(cfg.out_dir / f)) << f;
  ResultsFile back = read_results(cfg.out_dir / "results.jsonl");
  EXPECT_EQ(back.header.targets.size(), 2u);
  EXPECT_EQ(back.header.targets[0].name, "model");
  EXPECT_EQ(back.header.targets[1].name, "fake");
  EXPECT_EQ(back.header.kernel_release, "6.18.44-test");
  ASSERT_EQ(back.results.size(), 2u);
  EXPECT_EQ(o.results.results.size(), 2u);
  EXPECT_NE(progress.str().find("ovlspec run: 1/1 cases | model 1 pass | fake 1 pass"), std::string::npos)
      << progress.str();
  EXPECT_NE(out.str().find("whiteout.chardev"), std::string::npos) << out.str();
}

TEST(RunSuite, DivergenceExitsOneAndShowsInTheReports) {
  SuiteDir d;
  FakeTarget* fake = nullptr;
  SuiteConfig cfg = suite_config(d, &fake);
  cfg.registry.add("fake", "spoiled", [](const TargetContext&) {
    auto t = std::make_unique<FakeTarget>("fake");
    t->spoil_ = true;
    return t;
  });
  std::ostringstream progress, out;
  SuiteOutcome o = run_suite(cfg, progress, out);
  EXPECT_EQ(o.exit_code, 1);
  std::ifstream md(cfg.out_dir / "summary.md");
  std::stringstream ss;
  ss << md.rdbuf();
  EXPECT_NE(ss.str().find("### fake: whiteout/chardev-hides (fail)"), std::string::npos) << ss.str();
  EXPECT_NE(out.str().find("fake: whiteout/chardev-hides (fail) /y content: model "), std::string::npos) << out.str();
}

TEST(RunSuite, RequestedUnavailableTargetExitsThreeAndIsSkippedNotPassed) {
  SuiteDir d;
  FakeTarget* fake = nullptr;
  SuiteConfig cfg = suite_config(d, &fake);
  cfg.registry.add("fake", "absent", [](const TargetContext&) {
    auto t = std::make_unique<FakeTarget>("fake");
    t->unavailable_ = "not here";
    return t;
  });
  std::ostringstream progress, out;
  SuiteOutcome o = run_suite(cfg, progress, out);
  EXPECT_EQ(o.exit_code, 3);
  ASSERT_EQ(o.missing_targets.size(), 1u);
  EXPECT_EQ(o.missing_targets[0], "fake: not here");
  EXPECT_FALSE(o.results.header.targets[1].available);
  Tally t = tally(o.results);
  EXPECT_EQ(t.per_target["fake"].skip, 1);
  EXPECT_EQ(t.per_target["fake"].pass, 0);
}

TEST(RunSuite, BadInputIsRefused) {
  SuiteDir d;
  FakeTarget* fake = nullptr;
  SuiteConfig cfg = suite_config(d, &fake);
  std::ostringstream progress, out;
  cfg.targets = {"nope"};
  try {
    run_suite(cfg, progress, out);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown target \"nope\" (known: model"), std::string::npos) << e.what();
  }
  cfg.targets = {};
  cfg.cases_dir = d.root / "missing";
  EXPECT_THROW(run_suite(cfg, progress, out), std::invalid_argument);
  cfg.cases_dir = d.root / "cases";
  cfg.generated = 3;
  EXPECT_THROW(run_suite(cfg, progress, out), std::invalid_argument);  // no generator given
  std::ofstream(d.root / "cases/whiteout/broken.ovl") << "case x/y\nclause a.b\nmount lowerdir=A\nlayer A\n  bogus /x\n";
  cfg.generated = 0;
  EXPECT_THROW(run_suite(cfg, progress, out), CaseParseError);
}

TEST(RunSuite, GeneratedCasesCarryTheirSeed) {
  SuiteDir d;
  FakeTarget* fake = nullptr;
  SuiteConfig cfg = suite_config(d, &fake);
  cfg.cases_dir.clear();
  cfg.generated = 2;
  cfg.seed = 77;
  cfg.generator = [](std::uint64_t seed, std::size_t n) {
    std::vector<RunCase> out;
    for (std::size_t i = 0; i < n; ++i) {
      RunCase c{parse_case(kWhiteoutCase, ""), "generated", seed * 100 + i};
      c.c.name = "generated/" + std::to_string(seed) + "-" + std::to_string(i);
      c.c.clauses.clear();
      out.push_back(c);
    }
    return out;
  };
  std::ostringstream progress, out;
  SuiteOutcome o = run_suite(cfg, progress, out);
  ASSERT_EQ(o.results.results.size(), 4u);
  EXPECT_EQ(o.results.header.seed, 77u);
  EXPECT_EQ(o.results.results[1].seed, 7701u);
  EXPECT_EQ(o.results.results[1].origin, "generated");
  EXPECT_EQ(o.results.results[1].section(), "generated");
}

}  // namespace
}  // namespace ovl
