// Semantics::one_filesystem ([readdir.impure]): with every layer on one filesystem readdir looks
// the entries of an impure upper directory up; with the layers on several (the erofs target:
// EROFS lowers under a tmpfs upper) it reads the directory as any other. Label unit.
#include <gtest/gtest.h>

#include <algorithm>

#include "ovl/case_format.hpp"
#include "ovl/predict.hpp"
#include "ovl/run.hpp"

namespace ovl {
namespace {

Case corpus_case(const std::string& rel) {
  return parse_case_file(std::string(OVLSPEC_SOURCE_DIR) + "/conformance/cases/" + rel);
}

Prediction predicted(const Case& c, bool one_fs) {
  Semantics s;
  s.one_filesystem = one_fs;
  return predict(c, s);
}

TEST(OneFilesystem, NonMergeImpureDirFailsOnlyOnOneFilesystem) {
  Case c = corpus_case("readdir/impure-non-merge-error.ovl");
  const Observation on_one = predicted(c, true).observation;
  const Entry* one = on_one.find("/d");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->readdir_err, std::optional<std::string>("EINVAL"));
  Observation several = predicted(c, false).observation;
  const Entry* d = several.find("/d");
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->readdir_err.has_value());
  ASSERT_TRUE(d->children.has_value());
  EXPECT_EQ(*d->children, (std::vector<std::string>{"bad", "u"}));
  // The entry itself still fails its own lookup.
  const Entry* bad = several.find("/d/bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_EQ(bad->err, std::optional<std::string>("EINVAL"));
}

TEST(OneFilesystem, MergedImpureDirDropsOnlyOnOneFilesystem) {
  Case c = corpus_case("readdir/impure-merge-drops-failing.ovl");
  const Observation on_one = predicted(c, true).observation;
  const Entry* one = on_one.find("/d");
  const Observation several = predicted(c, false).observation;
  const Entry* d = several.find("/d");
  ASSERT_NE(one, nullptr);
  ASSERT_NE(d, nullptr);
  ASSERT_TRUE(one->children && d->children);
  EXPECT_LT(one->children->size(), d->children->size());
  EXPECT_EQ(std::count(d->children->begin(), d->children->end(), "bad"), 1);
}

// The expect lines written for one filesystem are the ones set aside for a target with layers on
// several; on one filesystem all are kept.
TEST(OneFilesystem, ExpectationsForLayout) {
  Case c = corpus_case("readdir/impure-non-merge-error.ovl");
  ASSERT_EQ(c.expects.size(), 1u);
  Semantics several;
  several.one_filesystem = false;
  std::vector<int> dropped;
  Case kept = expectations_for_layout(c, several, predict(c, several), &dropped);
  EXPECT_TRUE(kept.expects.empty());
  EXPECT_EQ(dropped, std::vector<int>{c.expects[0].line});
  dropped.clear();
  Semantics one;
  EXPECT_EQ(expectations_for_layout(c, one, predict(c, one), &dropped).expects.size(), 1u);
  EXPECT_TRUE(dropped.empty());
  // A case without impure directories keeps every line on either layout.
  Case plain = corpus_case("readdir/impure-non-merge-xwhiteout-listed.ovl");
  EXPECT_EQ(expectations_for_layout(plain, several, predict(plain, several), &dropped).expects.size(),
            plain.expects.size());
}

}  // namespace
}  // namespace ovl
