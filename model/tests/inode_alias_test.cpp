// [lookup.inode-alias]: non-directories that share a lower object share one cached inode.
#include "model_test_util.hpp"

namespace ovl::test {
namespace {

TEST(InodeAlias, LowerPathBesideUpperMetacopyHasUnspecifiedAttributes) {
  // found by the fuzzer on 6.18.44: after /b/c (st_size 7) is looked up, /c/a shows st_size 7
  StackBuilder b;
  b.upper().put("/b/c", metacopy(7, "/c/a"));
  b.lower("L").put("/c/a", file("abcdefgh"));
  Tested t(b, config(/*metacopy=*/true, RedirectMode::On));
  Observation o = t.observe();
  const Entry* lower = o.find("/c/a");
  const Entry* upper = o.find("/b/c");
  ASSERT_NE(lower, nullptr);
  ASSERT_NE(upper, nullptr);
  EXPECT_EQ(lower->unspecified, (std::vector<std::string>{"size"}));
  EXPECT_EQ(upper->unspecified, (std::vector<std::string>{"errno", "size"}));
  EXPECT_EQ(lower->content, upper->content);  // the bytes are the lower file's either way
  Observation kernel = o;
  for (auto& e : kernel.entries)
    if (e.path == "/c/a") e.size = 7;
  EXPECT_TRUE(diff(o, kernel).empty());
  bool traced = false;
  for (const auto& [path, cl] : t.model.clause_map())
    if (path == "/c/a") traced = std::find(cl.begin(), cl.end(), "lookup.inode-alias") != cl.end();
  EXPECT_TRUE(traced);
}

TEST(InodeAlias, VerityRequireOnTheUpperMetacopyMakesTheLowerOpenUnspecified) {
  // found by the fuzzer on 6.18.44: with verity=require, /a (metacopy without digest) fails open
  // with EIO, and /b/c, sharing its inode, fails open with EIO once /a was looked up first.
  StackBuilder b;
  b.upper().put("/a", metacopy(5, "/b/c"));
  b.lower("L").put("/b/c", file("abcdefgh"));
  MountConfig c = config(/*metacopy=*/true, RedirectMode::On);
  c.verity = Verity::Require;
  Tested t(b, c);
  Observation o = t.observe();
  const Entry* lower = o.find("/b/c");
  ASSERT_NE(lower, nullptr);
  EXPECT_EQ(lower->unspecified, (std::vector<std::string>{"content", "open_errno", "size"}));
  Observation kernel = o;
  for (auto& e : kernel.entries)
    if (e.path == "/b/c") {
      e.content.reset();
      e.open_err = "EIO";
    }
  EXPECT_TRUE(diff(o, kernel).empty());
}

TEST(InodeAlias, TwoLowerOnlyPathsAreNotAliases) {
  StackBuilder b;
  b.lower("A").put("/x", file("x"));
  b.lower("B").put("/y", file("y"));
  Tested t(b);
  for (const auto& e : t.observe().entries) EXPECT_TRUE(e.unspecified.empty()) << e.path;
}

}  // namespace
}  // namespace ovl::test
