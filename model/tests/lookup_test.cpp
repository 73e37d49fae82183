// Lookup rules (spec sections 1, 3, 4): stacking, shadowing, merging, whiteouts, opaque dirs.
#include <gtest/gtest.h>

#include "model_test_util.hpp"

namespace ovl::test {
namespace {

using Names = std::vector<std::string>;

TEST(StackRoot, MergesAllRootsAndIgnoresRootOpaqueAndRedirect) {  // [stack.root] [stack.order]
  StackBuilder b;
  b.upper().root().xattrs["trusted.overlay.opaque"] = "y";
  b.trees[0]->put("/u", file("u"));
  Layer& a = b.lower("A");
  a.root().xattrs["trusted.overlay.opaque"] = "y";
  a.root().xattrs["trusted.overlay.redirect"] = "/elsewhere";
  a.put("/a", file("a"));
  b.lower("B").put("/b", file("b"));
  Tested t(b);
  EXPECT_EQ(t.ls("/").names, (Names{"a", "b", "u"}));
  Resolution r = t.resolve("/");
  EXPECT_EQ(r.meta_at.layer, 0);
  EXPECT_TRUE(r.merge_dir);
}

TEST(StackDataOnly, DataOnlyLayersAreNeverVisible) {  // [stack.data-only-invisible]
  StackBuilder b;
  b.lower("A").put("/a", file("a"));
  b.data("D").put("/hidden", file("d"));
  Tested t(b);
  EXPECT_EQ(t.ls("/").names, (Names{"a"}));
  EXPECT_EQ(err(t.resolve("/hidden")), "ENOENT");
}

TEST(Lookup, NegativeIsENOENT) {  // [lookup.negative]
  StackBuilder b;
  b.lower("A").put("/a", file("a"));
  b.lower("B");
  Tested t(b);
  EXPECT_EQ(err(t.resolve("/nope")), "ENOENT");
  EXPECT_EQ(err(t.resolve("/a/x")), "ENOTDIR");
}

TEST(Lookup, NonDirHidesEverythingBelow) {  // [lookup.nondir-shadows]
  StackBuilder b;
  b.lower("A").put("/x", file("top"));
  b.lower("B").put("/x/inner", file("below"));
  b.lower("C").put("/l", Node::symlink("t"));
  b.trees[2]->put("/x", file("bottom"));
  Tested t(b);
  Resolution r = t.resolve("/x");
  EXPECT_EQ(r.type, NodeType::Reg);
  EXPECT_EQ(content(r), "top");
  EXPECT_EQ(r.meta_at.layer, 0);
}

TEST(Lookup, DirIsNeverMergedBelowANonDir) {  // [lookup.dir-over-nondir]
  StackBuilder b;
  b.lower("A").put("/y/a", file("1"));
  b.lower("B").put("/y", file("2"));
  b.lower("C").put("/y/c", file("3"));
  Tested t(b);
  EXPECT_EQ(t.ls("/y").names, (Names{"a"}));
  EXPECT_FALSE(t.resolve("/y").merge_dir);
  EXPECT_EQ(err(t.resolve("/y/c")), "ENOENT");
}

TEST(Lookup, DirectoriesMergeTopFirst) {  // [lookup.merge] [lookup.attributes]
  StackBuilder b;
  b.upper().put("/d", Node::dir(0700));
  b.trees[0]->put("/d/u", file("u"));
  b.lower("A").put("/d/a", file("a"));
  b.lower("B").put("/d/b", file("b"));
  b.trees[1]->put("/d/u", file("shadowed"));
  Tested t(b);
  Resolution r = t.resolve("/d");
  ASSERT_EQ(r.merged.size(), 3u);
  EXPECT_TRUE(r.merge_dir);
  EXPECT_EQ(r.meta->mode, 0700u);
  EXPECT_EQ(t.ls("/d").names, (Names{"a", "b", "u"}));
  EXPECT_EQ(content(t.resolve("/d/u")), "u");
}

TEST(Lookup, LowestLayerRedirectIsNotRead) {  // [lookup.last-layer]
  StackBuilder b;
  b.lower("A").put("/src/s", file("s"));
  b.lower("B").put("/low", redirect_dir("/src"));
  b.trees[1]->put("/low/own", file("o"));
  Tested t(b);
  EXPECT_EQ(t.ls("/low").names, (Names{"own"}));
  // Even an invalid value is not read there.
  b.trees[1]->put("/bad", redirect_dir("a/b"));
  Tested t2(b);
  EXPECT_EQ(err(t2.resolve("/bad")), "OK");
}

TEST(Lookup, WithDataLayersADirFirstFoundInTheLowestLayerHasItsRedirectRead) {  // [lookup.last-layer]
  // verified on 6.18.44: lowerdir=A:B::D with B/low redirect "a/b" gives EINVAL; without
  // the data layer, or with A/low2 above it, the redirect is not read.
  StackBuilder b;
  b.lower("A").put("/low2", dir());
  b.lower("B").put("/low", redirect_dir("a/b"));
  b.trees[1]->put("/low2", redirect_dir("a/b"));
  StackBuilder nodata = b;
  nodata.stack.layers.resize(2);
  b.data("D");
  Tested t(b);
  EXPECT_EQ(err(t.resolve("/low")), "EINVAL");
  EXPECT_EQ(err(t.resolve("/low2")), "OK");
  EXPECT_EQ(err(Tested(nodata).resolve("/low")), "OK");
}

TEST(Lookup, NameLongerThanLayersAllow) {  // [lookup.namelen]
  StackBuilder b;
  b.lower("A");
  b.lower("B");
  Tested t(b);
  EXPECT_EQ(err(t.resolve("/" + std::string(256, 'n'))), "ENAMETOOLONG");
  EXPECT_EQ(err(t.resolve("/" + std::string(255, 'n'))), "ENOENT");
}

TEST(Whiteout, CharDevice00HidesInEveryRegularLayer) {  // [whiteout.chardev]
  StackBuilder b;
  b.upper().put("/f", whiteout());
  b.lower("A").put("/f", file("a"));
  b.trees[1]->put("/g", whiteout());
  b.lower("B").put("/g", file("b"));
  Tested t(b);
  EXPECT_EQ(err(t.resolve("/f")), "ENOENT");
  EXPECT_EQ(err(t.resolve("/g")), "ENOENT");
  EXPECT_EQ(t.ls("/").names, Names{});
}

TEST(Whiteout, OtherDevicesAreObjects) {  // [whiteout.other-devices]
  StackBuilder b;
  b.lower("A").put("/n", Node::chardev(1, 3));
  b.lower("B").put("/n/below", file("b"));
  Tested t(b);
  Resolution r = t.resolve("/n");
  EXPECT_EQ(err(r), "OK");
  EXPECT_EQ(r.type, NodeType::Chr);
  EXPECT_EQ(t.ls("/").names, (Names{"n"}));
}

TEST(Whiteout, XattrWhiteoutLookupInEveryLayer) {  // [whiteout.xattr]
  StackBuilder b;
  b.upper().put("/uw", xwhiteout());
  b.lower("A").put("/uw", file("a"));
  b.trees[1]->put("/lw", xwhiteout());
  b.trees[1]->put("/nz", with(file("x"), "trusted.overlay.whiteout", ""));
  b.trees[1]->put("/dw", with(dir(), "trusted.overlay.whiteout", ""));
  b.lower("B").put("/lw", file("b"));
  Tested t(b);
  EXPECT_EQ(err(t.resolve("/uw")), "ENOENT");
  EXPECT_EQ(err(t.resolve("/lw")), "ENOENT");
  EXPECT_EQ(err(t.resolve("/nz")), "OK");  // non-zero size: a normal file
  EXPECT_EQ(err(t.resolve("/dw")), "OK");  // a directory: normal
  // Before 6.7 the xattr means nothing.
  Tested old(b, config(), Semantics{KernelVersion{6, 1}});
  EXPECT_EQ(content(old.resolve("/lw")), "");
  EXPECT_EQ(err(old.resolve("/lw")), "OK");
}

TEST(Opaque, OnlyOneByteYCounts) {  // [opaque.value]
  StackBuilder b;
  b.lower("A").put("/n", opaque_dir("n"));
  b.trees[0]->put("/yes", opaque_dir("yes"));
  b.trees[0]->put("/y", opaque_dir("y"));
  Layer& l = b.lower("B");
  l.put("/n/below", file("1"));
  l.put("/yes/below", file("1"));
  l.put("/y/below", file("1"));
  b.lower("C");
  Tested t(b);
  EXPECT_EQ(t.ls("/n").names, (Names{"below"}));
  EXPECT_EQ(t.ls("/yes").names, (Names{"below"}));
  EXPECT_EQ(t.ls("/y").names, Names{});
}

TEST(Opaque, YStopsTheMergeAndHidesItsRedirect) {  // [opaque.y] [redirect.where-read]
  StackBuilder b;
  b.upper().put("/o", with(opaque_dir("y"), "trusted.overlay.redirect", "/src"));
  b.trees[0]->put("/o/mine", file("m"));
  b.lower("A").put("/o/lower", file("l"));
  b.trees[1]->put("/src/s", file("s"));
  b.lower("B");
  Tested t(b);
  EXPECT_EQ(t.ls("/o").names, (Names{"mine"}));
  EXPECT_FALSE(t.resolve("/o").merge_dir);
}

TEST(Opaque, XInALowerIsNotOpaque) {  // [opaque.x-lower]
  StackBuilder b;
  b.lower("A").put("/d", opaque_dir("x"));
  b.trees[0]->put("/d/wh", xwhiteout());
  b.lower("B").put("/d/b", file("b"));
  b.trees[1]->put("/d/wh", file("hidden"));
  b.lower("C");
  Tested t(b);
  Resolution r = t.resolve("/d");
  EXPECT_TRUE(r.xwhiteouts);
  EXPECT_EQ(t.ls("/d").names, (Names{"b"}));
}

TEST(Opaque, XInTheUpperIsIgnored) {  // [opaque.x-upper]
  StackBuilder b;
  b.upper().put("/ud", opaque_dir("x"));
  b.trees[0]->put("/ud/uw", xwhiteout());
  b.lower("A").put("/ud/a", file("a"));
  Tested t(b);
  Resolution r = t.resolve("/ud");
  EXPECT_FALSE(r.xwhiteouts);
  EXPECT_EQ(t.ls("/ud").names, (Names{"a", "uw"}));  // listed ...
  EXPECT_EQ(err(t.resolve("/ud/uw")), "ENOENT");     // ... but not found
}

TEST(Whiteout, NestedEscapedMarkersAreOrdinaryXattrs) {  // [whiteout.nested] [xattr.escaped]
  StackBuilder b;
  b.lower("A").put("/d", with(dir(), "trusted.overlay.overlay.opaque", "y"));
  b.lower("B").put("/d/b", file("b"));
  Tested t(b);
  EXPECT_EQ(t.ls("/d").names, (Names{"b"}));  // escaped opaque is not interpreted by this overlay
  Observation o = t.observe();
  const Entry* e = o.find("/d");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->xattrs, (std::vector<std::string>{"trusted.overlay.opaque"}));
}

}  // namespace
}  // namespace ovl::test
