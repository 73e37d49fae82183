// The two proposals, switched by Semantics flags (spec/proposals/*.md).
#include <gtest/gtest.h>

#include "model_test_util.hpp"

namespace ovl::test {
namespace {

Semantics dslash() {
  Semantics s;
  s.dslash_redirect = true;
  return s;
}

Semantics middle() {
  Semantics s;
  s.data_only_middle = true;
  return s;
}

TEST(ProposalDslash, DataRedirectSkipsRegularLayers) {  // [proposal.dslash-redirect.resolve]
  StackBuilder b;
  b.lower("A").put("/m", metacopy(1, "//data/blob"));
  b.trees[0]->put("/r", metacopy(1, "//data/reset"));
  b.lower("B").put("/data/blob", file("captured"));
  b.data("D").put("/data/blob", file("store"));
  b.trees[2]->put("/data/reset", file("store2"));
  Tested t(b, config(true), dslash());
  EXPECT_EQ(content(t.resolve("/m")), "store");  // no capture (R38)
  EXPECT_EQ(content(t.resolve("/r")), "store2");  // no reset (R39)
  // Without the proposal, // is invalid.
  EXPECT_EQ(err(Tested(b, config(true)).resolve("/m")), "EINVAL");
}

TEST(ProposalDslash, SyntaxOnlyOnMetacopyFilesAndExactlyTwoSlashes) {  // [proposal.dslash-redirect.syntax]
  StackBuilder b;
  b.lower("A").put("/three", metacopy(1, "///x"));
  b.trees[0]->put("/bad", metacopy(1, "//x/"));
  b.trees[0]->put("/dir", redirect_dir("//x"));
  b.lower("B");
  b.data("D").put("/x", file("x"));
  Tested t(b, config(true), dslash());
  EXPECT_EQ(err(t.resolve("/three")), "EINVAL");
  EXPECT_EQ(err(t.resolve("/bad")), "EINVAL");
  EXPECT_EQ(err(t.resolve("/dir")), "EINVAL");
}

TEST(ProposalDslash, ExemptFromTheFollowCheckInAnyRegularLayer) {  // [proposal.dslash-redirect.follow]
  StackBuilder b;
  b.lower("A").put("/m", metacopy(1, "//blob"));
  b.trees[0]->put("/plain", metacopy(1, "/blob"));
  b.lower("B");
  b.data("D").put("/blob", file("b"));
  Tested t(b, config(false, RedirectMode::NoFollow), dslash());
  EXPECT_EQ(content(t.resolve("/m")), "b");
  EXPECT_EQ(err(t.resolve("/plain")), "EPERM");
  // An upper metacopy file with a data redirect has no lower object: EIO (as [data.upper]).
  StackBuilder u;
  u.upper().put("/m", metacopy(1, "//blob"));
  u.lower("A");
  u.data("D").put("/blob", file("b"));
  EXPECT_EQ(err(Tested(u, config(false), dslash()).resolve("/m")), "EIO");
}

TEST(ProposalMiddle, OnlyDataLayersBelowTheMetacopyFileAreSearched) {  // [proposal.data-only-middle.resolve]
  StackBuilder b;
  b.lower("L1").put("/top", metacopy(1, "/blob"));
  b.data("D1").put("/blob", file("D1"));
  b.lower("L2").put("/low", metacopy(1, "/blob"));
  b.data("D2").put("/blob", file("D2"));
  b.trees[1]->put("/only1", file("x"));
  Tested t(b, config(true), middle());
  EXPECT_EQ(content(t.resolve("/low")), "D2");
  // L1's metacopy file is above D1: it is searched in D1 first (after the regular layers).
  EXPECT_EQ(content(t.resolve("/top")), "D1");
  b.trees[2]->put("/low", metacopy(1, "/only-above"));
  b.trees[1]->put("/only-above", file("above"));  // in D1, above L2
  EXPECT_EQ(open_err(Tested(b, config(true), middle()).resolve("/low")), "ENOENT");
}

TEST(ProposalMiddle, MiddlesAreInvisibleAndDoNotBreakMerges) {  // [proposal.data-only-middle.invisible]
  StackBuilder b;
  b.lower("L1").put("/d/a", file("a"));
  b.data("D1").put("/d/hidden", file("h"));
  b.lower("L2").put("/d/b", file("b"));
  Tested t(b, config(), middle());
  EXPECT_EQ(t.ls("/d").names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(err(t.resolve("/d/hidden")), "ENOENT");
  // The lowest regular layer is L2 even though D1 follows L1 (R13 "last"): a redirect on a
  // dir found in L2 below L1's dir is not read.
  b.trees[2]->put("/d", redirect_dir("a/b"));
  EXPECT_EQ(err(Tested(b, config(), middle()).resolve("/d")), "OK");
}

}  // namespace
}  // namespace ovl::test
