// Xattr visibility (spec section 9) and the Observation walk (model/README.md).
#include <gtest/gtest.h>

#include "model_test_util.hpp"
#include "ovl/xattr_names.hpp"

namespace ovl::test {
namespace {

using Names = std::vector<std::string>;

TEST(XattrNames, PrivateEscapedAndOtherNamespaces) {  // [xattr.private] [xattr.escaped] [xattr.listing]
  Semantics s;
  EXPECT_EQ(listed_xattr_name("trusted.overlay.foo", false, s), std::nullopt);
  EXPECT_EQ(listed_xattr_name("trusted.overlay.overlayq", false, s), std::nullopt);
  EXPECT_EQ(listed_xattr_name("trusted.overlay.overlay.bar", false, s), "trusted.overlay.bar");
  EXPECT_EQ(listed_xattr_name("trusted.overlay.overlay.overlay.x", false, s), "trusted.overlay.overlay.x");
  EXPECT_EQ(listed_xattr_name("user.overlay.foo", false, s), "user.overlay.foo");
  EXPECT_EQ(listed_xattr_name("user.overlay.foo", true, s), std::nullopt);
  EXPECT_EQ(listed_xattr_name("trusted.overlay.foo", true, s), "trusted.overlay.foo");
  EXPECT_EQ(listed_xattr_name("trusted.overlay.overlay.bar", false, Semantics{KernelVersion{6, 6}}), std::nullopt);
  EXPECT_EQ(escape_xattr_name("user.overlay.x", true), "user.overlay.overlay.x");
  EXPECT_EQ(ovl_xattr_name(true, OvlXattr::Whiteout), "user.overlay.whiteout");
}

TEST(XattrListing, EntryXattrsComeFromTheTopmostObject) {  // [xattr.listing] [lookup.attributes]
  StackBuilder b;
  b.upper().put("/d", with(with(dir(), "trusted.overlay.overlay.opaque", "y"), "user.overlay.u", "1"));
  b.trees[0]->put("/d/f", with(file("f"), "user.other", "1"));
  b.lower("A").put("/d", with(dir(), "trusted.overlay.overlay.lowerx", "1"));
  Tested t(b);
  Observation o = t.observe();
  EXPECT_EQ(o.find("/d")->xattrs, (Names{"trusted.overlay.opaque", "user.overlay.u"}));
  EXPECT_FALSE(o.find("/d/f")->xattrs.has_value());
}

TEST(Observe, WalkRecordsEveryField) {
  StackBuilder b;
  b.upper().put("/d/f", Node::file("hello", 0600));
  b.trees[0]->put("/l", Node::symlink("d/f"));
  b.trees[0]->put("/gone", whiteout());
  b.lower("A").put("/gone", file("x"));
  b.trees[1]->put("/d/g", file("g"));
  Tested t(b);
  Observation o = t.observe();
  std::vector<std::string> paths;
  for (const auto& e : o.entries) paths.push_back(e.path);
  EXPECT_EQ(paths, (Names{"/", "/d", "/d/f", "/d/g", "/l"}));
  const Entry* f = o.find("/d/f");
  EXPECT_EQ(f->type, NodeType::Reg);
  EXPECT_EQ(f->mode, 0600u);
  EXPECT_EQ(f->size, 5u);
  EXPECT_EQ(f->content, sha256_hex("hello"));
  EXPECT_EQ(f->source, (Source{"U", "/d/f"}));
  EXPECT_EQ(o.find("/l")->target, "d/f");
  EXPECT_EQ(o.find("/")->children, (Names{"d", "l"}));
  EXPECT_EQ(o.find("/d")->children, (Names{"f", "g"}));
}

TEST(Observe, ProbeHiddenReportsNamesLookupFindsButReaddirHides) {
  // An xwhiteout-dropped name whose lookup errors (EPERM) is reported by probing, not listing.
  StackBuilder b;
  b.lower("A").put("/x", opaque_dir("x"));
  b.trees[0]->put("/x/mc", metacopy(1));
  b.trees[0]->put("/x/w", xwhiteout());
  b.lower("B").put("/x/mc", file("b"));
  b.lower("C").put("/x", dir());
  Tested t(b);
  Observation o = t.observe();
  EXPECT_EQ(o.find("/x")->children, Names{});
  ASSERT_NE(o.find("/x/mc"), nullptr);
  EXPECT_EQ(o.find("/x/mc")->err, "EPERM");
  EXPECT_EQ(o.find("/x/w"), nullptr);  // ENOENT: not reported
  ObserveOptions no;
  no.probe_hidden = false;
  EXPECT_EQ(t.observe(no).find("/x/mc"), nullptr);
}

TEST(Observe, MaxEntriesIsAnError) {
  StackBuilder b;
  b.lower("A").put("/a/b/c", file("c"));
  b.lower("B");
  Tested t(b);
  ObserveOptions o;
  o.max_entries = 2;
  EXPECT_THROW(t.model.observe(o), std::length_error);
}

TEST(Observe, ClauseMapNamesTheRulesOfEachPath) {
  StackBuilder b;
  b.upper().put("/w", whiteout());
  b.lower("A").put("/w", file("x"));
  b.trees[1]->put("/d/a", file("a"));
  b.trees[0]->put("/d/u", file("u"));
  Tested t(b);
  auto cm = t.model.clause_map();
  std::map<std::string, std::vector<std::string>> m(cm.begin(), cm.end());
  ASSERT_TRUE(m.count("/d"));
  EXPECT_NE(std::find(m["/d"].begin(), m["/d"].end(), "lookup.merge"), m["/d"].end());
  EXPECT_NE(std::find(m["/"].begin(), m["/"].end(), "stack.root"), m["/"].end());
  EXPECT_NE(std::find(m["/"].begin(), m["/"].end(), "readdir.first-wins"), m["/"].end());
}

TEST(Trace, ReadsLayerByLayerWithLayerNames) {
  StackBuilder b;
  b.lower("A").put("/foo", metacopy(9, "/x/y"));
  b.data("C").put("/x/y", file("data"));
  Tested t(b);
  Resolution r = t.resolve("/foo");
  std::string all;
  for (const auto& s : r.trace) all += "[" + s.clause + "] " + s.text + "\n";
  EXPECT_NE(all.find("L1 (A): /foo is a metacopy file"), std::string::npos) << all;
  EXPECT_NE(all.find("redirect /x/y (absolute)"), std::string::npos) << all;
  EXPECT_NE(all.find("D1 (C): /x/y is a regular file"), std::string::npos) << all;
}

TEST(TraceClauses, EveryClauseTheModelCanNameIsASpecHeading) {
  // Scans the model's sources for clause ids in trace calls; each must be a spec heading.
  const std::string src = std::string(OVLSPEC_SOURCE_DIR) + "/model/src/";
  static const std::regex call(R"re((?:note|fail|push_back|note\(|\{)\s*\(?\s*\{?\s*"([a-z]+(?:\.[a-z0-9-]+)+)")re");
  int n = 0;
  for (const char* f : {"lookup.cpp", "readdir.cpp", "observe.cpp"}) {
    std::ifstream in(src + f);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
      std::string id = (*it)[1];
      if (id.starts_with("ovl.") || id.find("overlay") != std::string::npos) continue;
      ++n;
      EXPECT_TRUE(spec_clause_ids().count(id)) << f << " names clause [" << id << "] missing from the spec";
    }
  }
  EXPECT_GT(n, 30);
}

}  // namespace
}  // namespace ovl::test
