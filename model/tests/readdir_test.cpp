// Readdir (spec section 10): merge dirs, first-wins, whiteouts, xwhiteouts, impure upper dirs.
#include <gtest/gtest.h>

#include "model_test_util.hpp"

namespace ovl::test {
namespace {

using Names = std::vector<std::string>;

TEST(ReaddirMergeDir, SingleLayerDirsListTheirWhiteouts) {  // [readdir.merge-dir] [readdir.whiteout-listed]
  StackBuilder b;
  b.lower("A").put("/nm/wo", whiteout());
  b.trees[0]->put("/lm", opaque_dir("x"));
  b.trees[0]->put("/lm/hid", xwhiteout());
  b.lower("B");
  b.lower("C");
  Tested t(b);
  EXPECT_FALSE(t.resolve("/nm").merge_dir);
  EXPECT_EQ(t.ls("/nm").names, (Names{"wo"}));
  EXPECT_EQ(err(t.resolve("/nm/wo")), "ENOENT");
  EXPECT_EQ(t.ls("/lm").names, (Names{"hid"}));  // opaque=x, but not a merge dir
  EXPECT_EQ(err(t.resolve("/lm/hid")), "ENOENT");
}

TEST(ReaddirMergeDir, OriginXattrMakesAMergeDir) {  // [readdir.merge-dir]
  StackBuilder b;
  b.upper().put("/o", with(dir(), "trusted.overlay.origin", ""));
  b.trees[0]->put("/o/wo", whiteout());
  b.trees[0]->put("/o/f", file("f"));
  b.lower("A");
  Tested t(b);
  EXPECT_TRUE(t.resolve("/o").merge_dir);
  EXPECT_EQ(t.ls("/o").names, (Names{"f"}));
}

TEST(ReaddirFirstWins, TopmostEntryDecidesAndWhiteoutsDrop) {  // [readdir.first-wins] [readdir.layers]
  StackBuilder b;
  b.upper().put("/d/gone", whiteout());
  b.trees[0]->put("/d/dev", Node::chardev(1, 3));
  b.lower("A").put("/d/gone", file("a"));
  b.trees[1]->put("/d/keep", file("a"));
  b.lower("B").put("/d/keep", dir());
  b.trees[2]->put("/d/b", file("b"));
  b.trees[2]->put("/d/dev", file("b"));
  b.data("D").put("/d/data", file("never listed"));
  Tested t(b);
  EXPECT_EQ(t.ls("/d").names, (Names{"b", "dev", "keep"}));
  EXPECT_EQ(t.resolve("/d/keep").type, NodeType::Reg);
}

TEST(ReaddirXwhiteout, HiddenOnlyInMarkedLowerMergeDirs) {  // [readdir.xwhiteout-hidden]
  StackBuilder b;
  b.upper().put("/ud", dir());
  b.trees[0]->put("/ud/uw", xwhiteout());
  Layer& a = b.lower("A");
  a.put("/xd", opaque_dir("x"));
  a.put("/xd/w", xwhiteout());
  a.put("/nx/w", xwhiteout());  // no marker in A/nx
  a.put("/ud/a", file("a"));
  Layer& bl = b.lower("B");
  bl.put("/xd/w", file("hidden below"));
  bl.put("/xd/b", file("b"));
  bl.put("/nx/w", file("hidden below"));
  bl.put("/nx/b", file("b"));
  b.lower("C");
  Tested t(b);
  EXPECT_EQ(t.ls("/xd").names, (Names{"b"}));
  EXPECT_EQ(t.ls("/ud").names, (Names{"a", "uw"}));
  Listing nx = t.ls("/nx");
  EXPECT_EQ(nx.names, (Names{"b", "w"}));
  EXPECT_FALSE(nx.children_unspecified);  // nx is not an xwhiteouts dir at all
  EXPECT_EQ(err(t.resolve("/nx/w")), "ENOENT");
}

TEST(ReaddirXwhiteout, LayerFlaggedElsewhereIsOrderDependent) {  // [readdir.xwhiteout-hidden]
  // L1/d has x, the whiteout sits in L2/d without a marker, and L2 has x on another dir.
  StackBuilder b;
  b.lower("A").put("/d", opaque_dir("x"));
  b.trees[0]->put("/d/a", file("a"));
  Layer& l2 = b.lower("B");
  l2.put("/d/w", xwhiteout());
  l2.put("/other", opaque_dir("x"));
  b.lower("C").put("/d/w", file("c"));
  Tested t(b);
  Listing l = t.ls("/d");
  EXPECT_TRUE(l.children_unspecified);
  EXPECT_EQ(l.names, (Names{"a", "w"}));
  Observation o = t.observe();
  EXPECT_EQ(o.find("/d")->unspecified, (std::vector<std::string>{"children"}));
  // Without any x in L2, the listing is certain.
  b.trees[1]->put("/other", dir());
  Tested t2(b);
  EXPECT_FALSE(t2.ls("/d").children_unspecified);
}

TEST(ReaddirXwhiteout, RootMarkerFlagsTheLayer) {  // [stack.root] [readdir.xwhiteout-hidden]
  StackBuilder b;
  Layer& a = b.lower("A");
  a.root().xattrs["trusted.overlay.opaque"] = "x";
  a.put("/rw", xwhiteout());
  b.lower("B").put("/rw", file("b"));
  Tested t(b);
  EXPECT_TRUE(t.resolve("/").xwhiteouts);
  EXPECT_EQ(t.ls("/").names, Names{});
}

TEST(ReaddirImpure, ImpureUpperDirsLookEntriesUp) {  // [readdir.impure]
  // verified on 6.18.44: merge dir drops uw and mc; single-layer impure dir fails with EPERM
  StackBuilder b;
  b.upper().put("/m", with(dir(), "trusted.overlay.impure", "y"));
  b.trees[0]->put("/m/uw", xwhiteout());
  b.trees[0]->put("/m/mc", metacopy(1));
  b.trees[0]->put("/r", with(dir(), "trusted.overlay.impure", "y"));
  b.trees[0]->put("/r/uw", xwhiteout());
  b.trees[0]->put("/s", with(dir(), "trusted.overlay.impure", "y"));
  b.trees[0]->put("/s/mc", metacopy(1));
  b.lower("A").put("/m/a", file("a"));
  Tested t(b);
  EXPECT_EQ(t.ls("/m").names, (Names{"a"}));
  EXPECT_EQ(t.ls("/r").names, (Names{"uw"}));
  Listing s = t.ls("/s");
  EXPECT_EQ(errno_name(s.err), "EPERM");
  Observation o = t.observe();
  EXPECT_EQ(o.find("/s")->readdir_err, "EPERM");
  EXPECT_FALSE(o.find("/s")->children.has_value());
}

}  // namespace
}  // namespace ovl::test
