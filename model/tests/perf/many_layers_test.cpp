// predict() of the hostile many-layer stack (500 lowers x 200 files, 100,000 entries) within
// ctest's TIMEOUT: a return to the old cost (minutes) fails instead of hanging CI.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "ovl/predict.hpp"
#include "ovl/sha256.hpp"

namespace ovl {
namespace {

constexpr int kLayers = 500;
constexpr int kFiles = 200;  // per layer, spread over 20 dirs
constexpr int kDirs = 20;

Case many_layers_case() {
  Case c;
  c.name = "many-layers";
  c.options = "lowerdir=";
  for (int i = 0; i < kLayers; ++i) {
    auto l = std::make_shared<Layer>();
    for (int k = 0; k < kFiles; ++k)
      l->put("/d" + std::to_string(k % kDirs) + "/f" + std::to_string(i) + "-" + std::to_string(k), Node::file("x" + std::to_string(i)));
    c.options += (i ? ":L" : "L") + std::to_string(i);
    c.layers.emplace_back("L" + std::to_string(i), std::move(l));
  }
  return c;
}

TEST(ManyLayers, FiveHundredLowersOfTwoHundredFilesArePredicted) {
  const Case c = many_layers_case();
  Prediction p = predict(c, Semantics{});
  ASSERT_TRUE(p.observation.mount.ok) << p.observation.mount.message;
  EXPECT_EQ(p.observation.entries.size(), 1u + kDirs + kLayers * kFiles);
  const Entry* d3 = p.observation.find("/d3");
  ASSERT_NE(d3, nullptr);
  ASSERT_TRUE(d3->children.has_value());
  EXPECT_EQ(d3->children->size(), static_cast<std::size_t>(kLayers * kFiles / kDirs));
  EXPECT_EQ(d3->source, (Source{"L0", "/d3"}));
  const Entry* low = p.observation.find("/d3/f499-3");
  ASSERT_NE(low, nullptr);
  EXPECT_EQ(low->source, (Source{"L499", "/d3/f499-3"}));
  EXPECT_EQ(low->content, sha256_hex("x499"));
  const Entry* mid = p.observation.find("/d7/f250-187");
  ASSERT_NE(mid, nullptr);
  EXPECT_EQ(mid->source, (Source{"L250", "/d7/f250-187"}));
  ASSERT_EQ(p.clauses.size(), p.observation.entries.size());
  auto it = std::find_if(p.clauses.begin(), p.clauses.end(), [](const auto& e) { return e.first == "/d7/f250-187"; });
  ASSERT_NE(it, p.clauses.end());
  EXPECT_EQ(it->second, (std::vector<std::string>{"lookup.layer-step", "lookup.nondir-shadows"}));
  auto top = std::find_if(p.clauses.begin(), p.clauses.end(), [](const auto& e) { return e.first == "/d7/f0-7"; });
  ASSERT_NE(top, p.clauses.end());
  EXPECT_EQ(top->second, (std::vector<std::string>{"lookup.nondir-shadows"}));
  // explain's step-by-step trace keeps every layer passed: 250 layers without the name.
  ASSERT_TRUE(p.model.has_value());
  Resolution r = p.model->resolve("/d7/f250-187");
  EXPECT_EQ(std::count_if(r.trace.begin(), r.trace.end(), [](const TraceStep& s) { return s.clause == "lookup.layer-step"; }), 250);
  EXPECT_EQ(r.trace.back().text, "L251 (L250): /d7/f250-187 is a reg: it hides everything below");
}

}  // namespace
}  // namespace ovl
