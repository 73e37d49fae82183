// Per-child limits without root: run_limited's memory and time limits, --memory-limit parsing,
// the mountinfo unescaping, and the model's prediction within limits (in process for small
// cases, in a limited child for large ones, with the same answer).
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ovl/limited_predict.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

// Touches `mib` MiB so the allocation is real.
std::string allocate(std::size_t mib) {
  std::vector<std::vector<char>> blocks;
  for (std::size_t i = 0; i < mib; ++i) {
    blocks.emplace_back(1024 * 1024);
    std::memset(blocks.back().data(), 1, blocks.back().size());
  }
  return std::to_string(blocks.size());
}

#define SKIP_WITHOUT_FORK_LIMITS()                                        \
  if (auto why = fork_memory_limit_unsupported()) GTEST_SKIP() << *why

TEST(ChildLimits, AChildOverItsMemoryLimitIsReportedAsSuch) {
  SKIP_WITHOUT_FORK_LIMITS();
  ChildResult r = run_limited([] { return allocate(512); }, ChildLimits{30, 64});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.memory_exceeded) << r.error;
  EXPECT_EQ(r.error, "memory limit of 64 MiB exceeded");
}

TEST(ChildLimits, TheLimitCountsOnlyWhatTheChildAddsToItsInheritance) {
  // The parent holds 96 MiB; a child may still allocate 32 MiB under a 64 MiB limit.
  std::string held = allocate(96);
  ChildResult r = run_limited([] { return allocate(32); }, ChildLimits{30, 64});
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.output, "32");
  EXPECT_EQ(held, "96");
}

TEST(ChildLimits, NoMemoryLimitWhenZero) {
  ChildResult r = run_limited([] { return allocate(128); }, ChildLimits{30, 0});
  EXPECT_TRUE(r.ok) << r.error;
}

TEST(ChildLimits, TimeLimitKillsTheChild) {
  auto t0 = std::chrono::steady_clock::now();
  ChildResult r = run_limited(
      [] {
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
        return std::string();
      },
      ChildLimits{0.3, 64});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok);
  EXPECT_LT(took, 3.0);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
}

TEST(ChildLimits, ExceptionsAndValuesComeBack) {
  ChildResult r = run_limited([] { return std::string("value"); }, ChildLimits{10, 64});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.output, "value");
  r = run_limited([]() -> std::string { throw std::runtime_error("boom"); }, ChildLimits{10, 64});
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.memory_exceeded);
  EXPECT_EQ(r.error, "boom");
}

TEST(MemoryLimitOption, ParsesWholeMiBInRange) {
  EXPECT_EQ(parse_memory_limit_mib("1024"), 1024u);
  EXPECT_EQ(parse_memory_limit_mib("16"), 16u);
  EXPECT_EQ(parse_memory_limit_mib("1048576"), 1048576u);
  for (const char* bad : {"", "0", "15", "-5", "1e3", "12x", " 64", "1048577", "99999999999999999999", "1.5"}) {
    try {
      parse_memory_limit_mib(bad);
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("expected a whole number of MiB"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::string("\"") + bad + "\""), std::string::npos) << e.what();
    }
  }
}

TEST(Mountinfo, UnescapesOctalEscapesOnly) {
  EXPECT_EQ(unescape_mountinfo("/tmp/a\\040b"), "/tmp/a b");
  EXPECT_EQ(unescape_mountinfo("/x\\011y\\012z\\134"), "/x\ty\nz\\");
  EXPECT_EQ(unescape_mountinfo("/end\\04"), "/end\\04");   // too short: kept
  EXPECT_EQ(unescape_mountinfo("/bad\\09x"), "/bad\\09x"); // 9 is not octal: kept
  EXPECT_EQ(unescape_mountinfo("plain"), "plain");
}

Case make_case(std::string options, std::vector<std::pair<std::string, Layer>> layers) {
  Case c;
  c.name = "limits";
  c.options = std::move(options);
  for (auto& [n, l] : layers) c.layers.emplace_back(n, std::make_shared<Layer>(std::move(l)));
  return c;
}

// Small cases of several kinds: merge, whiteout, opaque dir, refused mount, upper layer.
std::vector<Case> small_cases() {
  std::vector<Case> out;
  {
    Layer a, b;
    a.put("/d/x", Node::file("x"));
    a.put("/w", Node::chardev(0, 0));
    b.put("/d/y", Node::file("y"));
    b.put("/w", Node::file("hidden"));
    b.put("/l", Node::symlink("d/x"));
    out.push_back(make_case("lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}}));
  }
  {
    Layer a, b;
    Node d = Node::dir();
    d.xattrs["trusted.overlay.opaque"] = "y";
    a.put("/o", std::move(d));
    a.put("/o/mine", Node::file("1"));
    b.put("/o/theirs", Node::file("2"));
    out.push_back(make_case("lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}}));
  }
  {
    Layer a;
    a.put("/f", Node::file("f"));
    out.push_back(make_case("lowerdir=A:Missing", {{"A", std::move(a)}}));
  }
  {
    Layer u, w, l;
    u.put("/f", Node::file("upper"));
    l.put("/f", Node::file("lower"));
    l.put("/g", Node::file("g"));
    out.push_back(make_case("upperdir=U,workdir=W,lowerdir=L", {{"U", std::move(u)}, {"W", std::move(w)}, {"L", std::move(l)}}));
  }
  return out;
}

Semantics at_6_18() {
  Semantics s;
  s.kernel = KernelVersion{6, 18};
  return s;
}

TEST(LimitedPredict, SmallCasesStayInProcessWithTheFullPrediction) {
  for (const Case& c : small_cases()) {
    EXPECT_LE(prediction_cost(c), PredictLimits{}.in_process_max_cost);
    Prediction p = predict_within_limits(c, at_6_18(), {}, PredictLimits{});
    EXPECT_EQ(p.model.has_value(), predict(c, at_6_18()).model.has_value()) << c.options;
  }
}

TEST(LimitedPredict, AChildGivesTheSameObservationAndClauses) {
  PredictLimits always_child;
  always_child.in_process_max_cost = 0;
  for (const Case& c : small_cases()) {
    Prediction here = predict(c, at_6_18());
    Prediction there = predict_within_limits(c, at_6_18(), {}, always_child);
    EXPECT_FALSE(there.model.has_value()) << "the child's prediction cannot carry the model";
    EXPECT_EQ(to_json(there.observation), to_json(here.observation)) << c.options;
    EXPECT_TRUE(there.observation.entries == here.observation.entries) << c.options;
    EXPECT_TRUE(there.observation.mount == here.observation.mount) << c.options;
    EXPECT_EQ(there.clauses, here.clauses) << c.options;
  }
}

// 500 layers, 100,000 entries: far above the in-process bound.
Case hostile_case() {
  std::vector<std::pair<std::string, Layer>> layers;
  std::string options = "lowerdir=";
  for (int i = 0; i < 500; ++i) {
    Layer l;
    for (int k = 0; k < 200; ++k)
      l.put("/d" + std::to_string(k % 20) + "/f" + std::to_string(i) + "-" + std::to_string(k), Node::file("x"));
    options += (i ? ":L" : "L") + std::to_string(i);
    layers.emplace_back("L" + std::to_string(i), std::move(l));
  }
  return make_case(options, std::move(layers));
}

// Two layers of 40,000 files each in one directory: quick to predict, but tens of MiB.
Case wide_case() {
  Layer a, b;
  for (int k = 0; k < 40000; ++k) {
    a.put("/d/a" + std::to_string(k), Node::file("a"));
    b.put("/d/b" + std::to_string(k), Node::file("b"));
  }
  return make_case("lowerdir=A:B", {{"A", std::move(a)}, {"B", std::move(b)}});
}

TEST(LimitedPredict, ALargeCaseOverTheMemoryLimitIsALimitError) {
  SKIP_WITHOUT_FORK_LIMITS();
  Case c = wide_case();
  EXPECT_GT(prediction_cost(c), PredictLimits{}.in_process_max_cost);
  PredictLimits l;
  l.timeout_seconds = 120;
  l.memory_mib = 16;
  try {
    predict_within_limits(c, at_6_18(), {}, l);
    ADD_FAILURE() << "the prediction fitted in 16 MiB";
  } catch (const PredictionLimitError& e) {
    EXPECT_NE(std::string(e.what()).find("memory limit of 16 MiB exceeded"), std::string::npos) << e.what();
  }
}

TEST(LimitedPredict, ALargeCaseOverTheTimeLimitIsALimitError) {
  Case c = hostile_case();
  PredictLimits l;
  l.timeout_seconds = 0.2;
  l.memory_mib = 0;
  auto t0 = std::chrono::steady_clock::now();
  try {
    predict_within_limits(c, at_6_18(), {}, l);
    ADD_FAILURE() << "the prediction finished within 0.2 s";
  } catch (const PredictionLimitError& e) {
    EXPECT_NE(std::string(e.what()).find("time limit of 0.2 s exceeded"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST(LimitedPredict, AHugeDeclaredFileSizeCountsTowardsTheCost) {
  Layer a;
  Node f = Node::file("x");
  f.size = 64ULL << 30;  // 64 GiB that the model would hash
  a.put("/big", std::move(f));
  Case c = make_case("lowerdir=A:B", {{"A", std::move(a)}, {"B", Layer{}}});
  EXPECT_GT(prediction_cost(c), PredictLimits{}.in_process_max_cost);
}

}  // namespace
}  // namespace ovl
