// The fuzz engine without a kernel: the model against itself (no findings: batching is sound),
// against an older feature level, and against a model with a planted bug (found and shrunk).
#include <gtest/gtest.h>

#include "ovl/fuzz.hpp"

namespace ovl::gen {
namespace {

/// Deep copy of a case whose regular lower layers (named L<n> by the generator) lose their
/// chardev 0/0 whiteouts: the planted bug "whiteouts in lower layers hide nothing". Test-only.
Case without_lower_whiteouts(const Case& c) {
  Case m = c;
  std::function<void(Node&)> scrub = [&](Node& n) {
    std::erase_if(n.children, [](const auto& kv) { return kv.second->is_chardev_whiteout(); });
    for (auto& [name, child] : n.children) scrub(*child);
  };
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    if (m.layers[i].first.rfind("L", 0) != 0) continue;
    auto copy = std::make_shared<Layer>(*m.layers[i].second);
    scrub(copy->root());
    m.layers[i].second = copy;
  }
  return m;
}

FuzzOptions small(std::uint64_t seed, std::size_t cases) {
  FuzzOptions o;
  o.seed = seed;
  o.cases = cases;
  o.chunk = 256;
  o.max_shrink_tries = 400;
  return o;
}

TEST(Fuzz, ModelAgainstItselfFindsNothingAndBatches) {
  Semantics sem;
  FuzzReport r = fuzz(small(5, 1500), model_oracle(sem), {model_target(sem)});
  EXPECT_EQ(r.progress.cases, 1500u);
  EXPECT_EQ(r.progress.divergent, 0u);
  for (const auto& f : r.findings) ADD_FAILURE() << f.group << "\n" << describe(f.minimal);
  EXPECT_LT(r.progress.mounts * 5, r.progress.cases) << "batching should share mounts";
}

TEST(Fuzz, PlantedBugIsFoundAndShrunk) {
  Semantics sem;
  Oracle buggy = [sem](const Case& c) { return predict(without_lower_whiteouts(c), sem); };
  FuzzReport r = fuzz(small(6, 800), buggy, {model_target(sem)});
  ASSERT_FALSE(r.findings.empty());
  EXPECT_GT(r.progress.divergent, 0u);
  for (const auto& f : r.findings) {
    SCOPED_TRACE(f.group + "\n" + describe(f.minimal));
    EXPECT_FALSE(f.divergences.empty());
    EXPECT_LE(f.minimal.entry_count(), 3u);
    EXPECT_LE(f.minimal.layers.size(), 3u);
    EXPECT_GE(f.occurrences, 1u);
    bool has_whiteout = false;
    for (const auto& l : f.minimal.layers)
      for (const auto& e : l.entries) has_whiteout |= e.type == NodeType::Chr && e.rdev_major == 0;
    EXPECT_TRUE(has_whiteout) << "the minimal case must still hold the whiteout the bug ignores";
  }
}

TEST(Fuzz, OlderFeatureLevelDivergesAndShrinks) {
  Semantics now, old;
  old.kernel = KernelVersion{6, 1};
  FuzzReport r = fuzz(small(7, 600), model_oracle(old), {model_target(now)});
  ASSERT_FALSE(r.findings.empty());
  // 6.1 has neither data-only layers (6.5) nor xattr whiteouts (6.7): minimal cases show both
  bool xwhiteout = false, data_only = false;
  for (const auto& f : r.findings) {
    SCOPED_TRACE(f.group + "\n" + describe(f.minimal));
    EXPECT_LE(f.minimal.entry_count(), 4u);
    data_only |= f.minimal.count(Role::DataOnly) > 0;
    for (const auto& l : f.minimal.layers)
      for (const auto& e : l.entries)
        xwhiteout |= e.type == NodeType::Reg && e.data.empty() &&
                     (e.xattrs.count("trusted.overlay.whiteout") || e.xattrs.count("user.overlay.whiteout"));
  }
  EXPECT_TRUE(xwhiteout);
  EXPECT_TRUE(data_only);
}

TEST(Fuzz, DeterministicBySeed) {
  Semantics now, old;
  old.kernel = KernelVersion{6, 1};
  auto a = fuzz(small(8, 300), model_oracle(old), {model_target(now)});
  auto b = fuzz(small(8, 300), model_oracle(old), {model_target(now)});
  ASSERT_EQ(a.findings.size(), b.findings.size());
  for (std::size_t i = 0; i < a.findings.size(); ++i) {
    EXPECT_EQ(a.findings[i].group, b.findings[i].group);
    EXPECT_EQ(a.findings[i].minimal, b.findings[i].minimal);
  }
  EXPECT_EQ(a.groups, b.groups);
}

TEST(Fuzz, WorkersGiveTheSameReportAsOne) {
  Semantics now, old;
  old.kernel = KernelVersion{6, 1};
  auto one = fuzz(small(8, 600), model_oracle(old), {model_target(now)});
  auto three = fuzz_on_workers(small(8, 600), model_oracle(old),
                               {{model_target(now)}, {model_target(now)}, {model_target(now)}});
  EXPECT_EQ(three.progress.cases, one.progress.cases);
  EXPECT_EQ(three.progress.mounts, one.progress.mounts);
  EXPECT_EQ(three.progress.divergent, one.progress.divergent);
  EXPECT_EQ(three.groups, one.groups);
  ASSERT_EQ(three.findings.size(), one.findings.size());
  ASSERT_FALSE(one.findings.empty());
  for (std::size_t i = 0; i < one.findings.size(); ++i) {
    EXPECT_EQ(three.findings[i].group, one.findings[i].group);
    EXPECT_EQ(three.findings[i].index, one.findings[i].index);
    EXPECT_EQ(three.findings[i].minimal, one.findings[i].minimal);
  }
  EXPECT_THROW(fuzz_on_workers(small(8, 10), model_oracle(old), {}), std::invalid_argument);
}

TEST(Fuzz, ResumingFromACheckpointGivesTheUninterruptedReport) {
  Semantics now, old;
  old.kernel = KernelVersion{6, 1};
  auto whole = fuzz(small(8, 1000), model_oracle(old), {model_target(now)});
  std::vector<FuzzCheckpoint> saved;
  FuzzOptions first = small(8, 512);  // two chunks of 256, then "killed"
  first.on_checkpoint = [&](const FuzzCheckpoint& c) { saved.push_back(c); };
  auto part = fuzz(first, model_oracle(old), {model_target(now)});
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved.back().next, 512u);
  FuzzOptions rest = small(8, 1000);
  rest.resume = saved.back();
  auto tail = fuzz(rest, model_oracle(old), {model_target(now)});
  EXPECT_EQ(tail.progress.cases, whole.progress.cases);
  EXPECT_EQ(tail.progress.divergent, whole.progress.divergent);
  EXPECT_EQ(tail.progress.findings, whole.progress.findings);
  EXPECT_EQ(tail.groups, whole.groups);
  EXPECT_EQ(part.findings.size() + tail.findings.size(), whole.findings.size());  // none twice
}

TEST(Fuzz, HarnessErrorsAreCountedNotPassed) {
  Semantics sem;
  FuzzTarget broken{"broken", [](const Case&) { return TargetRun{false, {}, "daemon died"}; }};
  FuzzReport r = fuzz(small(9, 100), model_oracle(sem), {broken});
  EXPECT_GT(r.progress.errors, 0u);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].find("daemon died"), std::string::npos);
}

}  // namespace
}  // namespace ovl::gen
