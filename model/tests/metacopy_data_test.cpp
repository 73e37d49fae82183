// Metacopy files, data-only layers and verity (spec sections 6-8).
#include <gtest/gtest.h>

#include "model_test_util.hpp"

namespace ovl::test {
namespace {

TEST(MetacopyFormat, OneToThreeBytesIsEIOWhateverMetacopySays) {  // [metacopy.too-small] [metacopy.format]
  for (bool mc : {false, true}) {
    StackBuilder b;
    Node n = metacopy(10);
    n.xattrs["trusted.overlay.metacopy"] = "ab";
    b.lower("A").put("/f", n);
    b.lower("B").put("/f", file("data"));
    EXPECT_EQ(err(Tested(b, config(mc)).resolve("/f")), "EIO");
    n.xattrs["trusted.overlay.metacopy"] = "abcd";
    b.trees[0]->put("/f", n);
    EXPECT_EQ(err(Tested(b, config(true)).resolve("/f")), "OK");
  }
}

TEST(MetacopyOff, MetacopyFilesAreRefused) {  // [metacopy.off]
  StackBuilder b;
  b.upper().put("/up", metacopy(4));
  b.lower("A").put("/up", file("data"));
  b.trees[1]->put("/low", metacopy(4));
  b.lower("B").put("/low", file("data"));
  b.trees[2]->put("/lowest", metacopy(4));
  Tested t(b, config(false));
  EXPECT_EQ(err(t.resolve("/up")), "EPERM");
  EXPECT_EQ(err(t.resolve("/low")), "EPERM");
  EXPECT_EQ(err(t.resolve("/lowest")), "EPERM");  // 6.16: checked after the loop too
  // An upper metacopy with nothing below was EIO before 6.16.
  StackBuilder b2;
  b2.upper().put("/up", metacopy(4));
  b2.lower("A");
  EXPECT_EQ(err(Tested(b2, config(false)).resolve("/up")), "EPERM");
  EXPECT_EQ(err(Tested(b2, config(false), Semantics{KernelVersion{6, 6}}).resolve("/up")), "EIO");
}

TEST(MetacopyData, DataFromTheNextNonMetacopyEntry) {  // [metacopy.data] [metacopy.attrs]
  StackBuilder b;
  Node top = metacopy(100);
  top.mode = 0600;
  b.upper().put("/f", top);
  b.lower("A").put("/f", metacopy(7));  // intermediate metacopy: skipped
  b.lower("B").put("/f", file("real data"));
  Tested t(b, config(true));
  Resolution r = t.resolve("/f");
  ASSERT_EQ(err(r), "OK");
  EXPECT_EQ(r.size, 100u);
  EXPECT_EQ(content(r), "real data");
  EXPECT_EQ(r.data_at->layer, 2);
  EXPECT_EQ(r.meta->mode, 0600u);
  Observation o = t.observe();
  const Entry* e = o.find("/f");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->size, 100u);
  EXPECT_EQ(e->content, sha256_hex("real data"));
  EXPECT_EQ(e->source->layer, "B");
}

TEST(MetacopyData, RelativeRedirectRenamesAndNonRegularStops) {  // [metacopy.data]
  StackBuilder b;
  b.lower("A").put("/f", metacopy(3, "g"));
  b.trees[0]->put("/overdir", metacopy(3));
  b.lower("B").put("/g", file("gee"));
  b.trees[1]->put("/overdir", dir());
  Tested t(b, config(true));
  EXPECT_EQ(content(t.resolve("/f")), "gee");
  EXPECT_EQ(err(t.resolve("/overdir")), "EIO");
}

TEST(MetacopyNoData, NoDataBelowIsEIO) {  // [metacopy.no-data]
  StackBuilder b;
  b.lower("A").put("/m", metacopy(3));
  b.lower("B").put("/m", metacopy(3));
  Tested t(b, config(true));
  EXPECT_EQ(err(t.resolve("/m")), "EIO");
}

StackBuilder data_stack() {
  StackBuilder b;
  b.lower("A");
  b.lower("B");
  b.data("C");
  b.data("E");
  return b;
}

TEST(DataResolve, DeferredLookupReadsTheDataOnlyFile) {  // [data.resolve] [data.lowest-layer]
  StackBuilder b = data_stack();
  b.trees[1]->put("/f", metacopy(50, "/1e/de17"));
  b.trees[2]->put("/1e/de17", file("blob"));
  b.trees[3]->put("/1e/de17", file("second"));
  for (bool mc : {false, true}) {
    Tested t(b, config(mc));
    Resolution r = t.resolve("/f");
    ASSERT_EQ(err(r), "OK") << mc;
    EXPECT_TRUE(r.data_deferred);
    EXPECT_EQ(content(r), "blob");
    EXPECT_EQ(r.size, 50u);
    EXPECT_EQ(r.data_at->layer, 2);
  }
  // Before 6.16, metacopy=off refused even the lowest layer.
  EXPECT_EQ(err(Tested(b, config(false), Semantics{KernelVersion{6, 6}}).resolve("/f")), "EPERM");
}

TEST(DataOpenError, ErrorOfTheLastDataLayerTried) {  // [data.open-error] [data.uninterpreted]
  // verified on 6.18.44: final symlink ENOENT, symlink in the middle ELOOP, /../x EXDEV,
  // a dir ENOENT, a file as intermediate ENOTDIR, /obj/../obj/f works.
  struct Case {
    std::string redirect, expect;
  };
  StackBuilder b = data_stack();
  b.trees[2]->put("/obj/lf", Node::symlink("target"));
  b.trees[2]->put("/sl", Node::symlink("obj"));
  b.trees[2]->put("/obj/f", with(file("f"), "trusted.overlay.metacopy", ""));
  b.trees[2]->put("/wh", whiteout());
  b.trees[3]->put("/wh", file("second layer"));
  for (const Case& c : std::vector<Case>{{"/obj/lf", "ENOENT"},
                                         {"/sl/f", "ELOOP"},
                                         {"/../x", "EXDEV"},
                                         {"/obj", "ENOENT"},
                                         {"/obj/f/g", "ENOTDIR"},
                                         {"/missing", "ENOENT"},
                                         {"/obj/../obj/f", "OK"},
                                         {"/./obj/f", "OK"}}) {
    StackBuilder s = b;
    s.stack.layers.pop_back();  // one data layer: its error is the answer
    s.trees[1]->put("/m", metacopy(1, c.redirect));
    Tested t(s);
    Resolution r = t.resolve("/m");
    EXPECT_EQ(err(r), "OK") << c.redirect;
    EXPECT_EQ(open_err(r), c.expect) << c.redirect;
  }
  // With two data layers, the second one's error wins.
  {
    StackBuilder s = b;
    s.trees[1]->put("/m", metacopy(1, "/sl/f"));
    EXPECT_EQ(open_err(Tested(s).resolve("/m")), "ENOENT");
  }
  // A whiteout in a data layer is just "not a regular file": the next data layer is tried.
  StackBuilder s = b;
  s.trees[1]->put("/m", metacopy(1, "/wh"));
  EXPECT_EQ(content(Tested(s).resolve("/m")), "second layer");
  // The data file is read as it is, even with a metacopy xattr.
  s.trees[1]->put("/m", metacopy(1, "/obj/f"));
  EXPECT_EQ(content(Tested(s).resolve("/m")), "f");
}

TEST(DataRedirectOrder, ARegularLowerCapturesTheRedirect) {  // [data.redirect.order]
  StackBuilder b = data_stack();
  b.trees[0]->put("/foo", metacopy(1, "/data/blob"));
  b.trees[1]->put("/data/blob", file("L2blob"));
  b.trees[2]->put("/data/blob", file("D1blob"));
  Tested t(b, config(true));
  EXPECT_EQ(content(t.resolve("/foo")), "L2blob");
}

TEST(DataRedirectReset, AnAncestorDirInARegularLowerMakesEIO) {  // [data.redirect.reset]
  StackBuilder b = data_stack();
  b.trees[0]->put("/m2", metacopy(1, "/data/only2"));
  b.trees[0]->put("/m3", metacopy(1, "/data3/only"));
  b.trees[0]->put("/m4", metacopy(1, "/data4/only"));
  b.trees[0]->put("/m5", metacopy(1, "/data5/only"));
  b.trees[1]->put("/data/other", file("x"));
  b.trees[1]->put("/data4", file("a file"));
  b.trees[1]->put("/data5", opaque_dir("y"));
  for (const char* p : {"/data/only2", "/data3/only", "/data4/only", "/data5/only"})
    b.trees[2]->put(p, file("D1"));
  Tested t(b, config(true));
  EXPECT_EQ(err(t.resolve("/m2")), "EIO");
  EXPECT_EQ(content(t.resolve("/m3")), "D1");
  EXPECT_EQ(content(t.resolve("/m4")), "D1");
  EXPECT_EQ(content(t.resolve("/m5")), "D1");
}

TEST(DataLowestLayer, HigherMetacopyNeedsMetacopyOn) {  // [data.lowest-layer]
  StackBuilder b = data_stack();
  b.trees[0]->put("/hi", metacopy(1, "/blob"));
  b.trees[2]->put("/blob", file("b"));
  EXPECT_EQ(err(Tested(b, config(false)).resolve("/hi")), "EPERM");
  EXPECT_EQ(content(Tested(b, config(true)).resolve("/hi")), "b");
}

TEST(DataUpper, UpperMetacopyCannotReachDataOnlyDirectly) {  // [data.upper]
  StackBuilder b;
  b.upper().put("/um", metacopy(1, "/blob"));
  b.trees[0]->put("/um2", metacopy(1));
  b.lower("A").put("/um2", metacopy(1, "/blob"));
  b.data("D").put("/blob", file("b"));
  Tested t(b, config(true));
  EXPECT_EQ(err(t.resolve("/um")), "EIO");
  EXPECT_EQ(content(t.resolve("/um2")), "b");
}

TEST(DataNofollow, DeferredDataRedirectWorksInNofollowAndUserxattr) {  // [data.nofollow] [xattr.namespace]
  StackBuilder b;
  b.lower("A").put("/f", metacopy(1, "/blob"));
  b.trees[0]->put("/u", metacopy(1, "/blob", "user.overlay."));
  b.data("D").put("/blob", file("b"));
  EXPECT_EQ(content(Tested(b, config(false, RedirectMode::NoFollow)).resolve("/f")), "b");
  MountConfig ux = config(false, RedirectMode::NoFollow);
  ux.userxattr = true;
  Tested t(b, ux);
  EXPECT_EQ(content(t.resolve("/u")), "b");
  Resolution plain = t.resolve("/f");  // trusted.* is not interpreted with userxattr: a sparse file
  EXPECT_FALSE(plain.metacopy);
  EXPECT_EQ(plain.size, 1u);
}

TEST(VerityCheck, DigestOrRequireFailOpenWithEIO) {  // [verity.check]
  // verified on 6.18.44 (CONFIG_FS_VERITY=n): digest + on/require EIO, no digest + require EIO
  StackBuilder b;
  Node dig = metacopy(1, "/f");
  dig.xattrs["trusted.overlay.metacopy"] = std::string("\x00\x25\x01\x01", 4) + std::string(32, '\0');
  b.lower("A").put("/dig", dig);
  b.trees[0]->put("/nodig", metacopy(1, "/f"));
  b.data("D").put("/f", file("data"));
  for (auto [v, d, n] : std::vector<std::tuple<Verity, const char*, const char*>>{
           {Verity::Off, "OK", "OK"}, {Verity::On, "EIO", "OK"}, {Verity::Require, "EIO", "EIO"}}) {
    MountConfig c = config();
    c.verity = v;
    Tested t(b, c);
    EXPECT_EQ(open_err(t.resolve("/dig")), d);
    EXPECT_EQ(open_err(t.resolve("/nodig")), n);
    EXPECT_EQ(err(t.resolve("/dig")), "OK");
  }
}

}  // namespace
}  // namespace ovl::test
