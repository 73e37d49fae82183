// The shrinker: every candidate is a valid, smaller case, and greedy shrinking reaches a minimum.
#include <gtest/gtest.h>

#include "ovl/gen_case.hpp"
#include "ovl/shrink.hpp"

namespace ovl::gen {
namespace {

TEST(Shrink, CandidatesAreValidAndSmaller) {
  for (const auto& g : generate_cases(21, 150)) {
    std::size_t w = case_weight(g);
    for (const auto& c : shrink_candidates(g)) {
      EXPECT_LT(case_weight(c), w) << describe(g) << "\n-> " << describe(c);
      EXPECT_GE(c.count(Role::Lower), 1u);
      EXPECT_NO_THROW(to_case(c));
    }
  }
}

bool has_opaque_y(const GenCase& g) {
  for (const auto& l : g.layers)
    for (const auto& e : l.entries)
      for (const auto& [k, v] : e.xattrs)
        if (k == "trusted.overlay.opaque" && v == "y") return true;
  return false;
}

TEST(Shrink, ReachesAMinimalCase) {
  int shrunk = 0;
  for (const auto& g : generate_cases(5, 400)) {
    if (!has_opaque_y(g) || g.entry_count() < 4) continue;
    ShrinkStats st;
    GenCase m = shrink(g, has_opaque_y, 5000, &st);
    SCOPED_TRACE(describe(g) + "\n=> " + describe(m));
    EXPECT_TRUE(has_opaque_y(m));
    EXPECT_FALSE(st.exhausted);
    EXPECT_EQ(m.entry_count(), 1u);
    EXPECT_EQ(m.xattr_count(), 1u);
    EXPECT_EQ(m.options, GenOptions{});
    // the layer holding the marker, plus one empty lower if that layer is not a lower
    const GenLayer* holder = nullptr;
    for (const auto& l : m.layers)
      if (!l.entries.empty()) holder = &l;
    ASSERT_NE(holder, nullptr);
    EXPECT_EQ(m.layers.size(), holder->role == Role::Lower ? 1u : 2u);
    ++shrunk;
  }
  EXPECT_GT(shrunk, 10);
}

TEST(Shrink, StopsAtMaxTries) {
  GenCase g = generate_cases(5, 1, GenParams{.max_entries = 7}).front();
  ShrinkStats st;
  shrink(g, [](const GenCase&) { return false; }, 3, &st);
  EXPECT_LE(st.tries, 3u);
  EXPECT_EQ(st.steps, 0u);
}

TEST(Shrink, KeepsLayerNames) {
  GenCase g;
  g.layers = {{"L1", Role::Lower, {}}, {"L2", Role::Lower, {}}, {"L3", Role::Lower, {}}};
  GenEntry e;
  e.path = "/a";
  e.data = "L3:/a\n";
  g.layers[2].entries.push_back(e);
  GenCase m = shrink(g, [](const GenCase& c) { return c.entry_count() == 1; });
  ASSERT_EQ(m.layers.size(), 1u);
  EXPECT_EQ(m.layers[0].name, "L3");
  EXPECT_EQ(option_string(m), "lowerdir=L3");
}

}  // namespace
}  // namespace ovl::gen
