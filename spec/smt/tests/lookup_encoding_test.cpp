// The lookup encoding evaluated on hand-built stacks whose kernel behaviour is documented
// (kernel-semantics.md, confirmed on 6.18).
#include <gtest/gtest.h>

#include "ovl/smt_lookup.hpp"

namespace ovl::smt {
namespace {

using K = EntryKind;

BoundedStack make(std::vector<SlotRole> roles, int depth = 2) {
  BoundedStack s;
  s.bound = {static_cast<int>(roles.size()), depth};
  s.roles = roles;
  s.at.assign(roles.size(), std::vector<BoundedEntry>(depth));
  s.metacopy_on = true;
  return s;
}
BoundedEntry E(K k) {
  BoundedEntry e;
  e.kind = k;
  return e;
}
BoundedEntry metacopy_to(int target) {
  BoundedEntry e = E(K::Reg);
  e.metacopy = MetacopyVal::Plain;
  e.redirect = RedirectVal::Abs;
  e.target = target;
  return e;
}

struct Fixture : ::testing::Test {
  z3::context ctx;
  std::vector<BoundedOutcome> run(const BoundedStack& s, Semantics sem = {}) {
    LookupEncoding enc(ctx, s.bound, sem, "t.");
    // The stack must be one the encoding considers mountable.
    z3::solver wf(ctx);
    wf.add(enc.wellformed() && enc.assign(s));
    EXPECT_EQ(wf.check(), z3::sat) << "not wellformed:\n" << s.describe();
    auto out = enc.evaluate(s);
    EXPECT_EQ(out.size(), static_cast<std::size_t>(s.bound.depth + 1));
    return out;
  }
};

using LookupEncodingTest = Fixture;

TEST_F(LookupEncodingTest, RegularLowerCapturesTheDataRedirect) {  // R38
  auto s = make({SlotRole::Lower, SlotRole::Lower, SlotRole::Data});
  s.at[0][0] = metacopy_to(1);
  s.at[1][0] = E(K::Reg);
  s.at[2][0] = E(K::Reg);
  auto o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_EQ(o[1].type, K::Reg);
  EXPECT_EQ(o[1].meta_slot, 0);
  EXPECT_EQ(o[1].data_slot, 1);
  // Without the regular file the data-only layer serves it.
  s.at[1][0] = E(K::None);
  o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_EQ(o[1].data_slot, 2);
  EXPECT_EQ(o[1].data_depth, 1);
}

TEST_F(LookupEncodingTest, AncestorDirectoryResetsTheAbsoluteFlag) {  // R39
  auto s = make({SlotRole::Lower, SlotRole::Lower, SlotRole::Data});
  s.at[0][0] = metacopy_to(2);
  s.at[1][0] = E(K::Dir);
  s.at[2][0] = E(K::Dir);
  s.at[2][1] = E(K::Reg);
  auto o = run(s);
  EXPECT_EQ(o[1].err, kEIO);
  // An opaque ancestor keeps the flag: the data-only file is found.
  s.at[1][0].opaque = OpaqueVal::Y;
  o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_EQ(o[1].data_slot, 2);
  EXPECT_EQ(o[1].data_depth, 2);
  // A regular file as the ancestor keeps it too.
  s.at[1][0] = E(K::Reg);
  o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_EQ(o[1].data_slot, 2);
}

TEST_F(LookupEncodingTest, MetacopyOffOnlyFromTheLowestRegularLayer) {  // R40
  auto s = make({SlotRole::Lower, SlotRole::Lower, SlotRole::Data});
  s.metacopy_on = false;
  s.at[0][0] = metacopy_to(1);
  s.at[2][0] = E(K::Reg);
  auto o = run(s);
  EXPECT_EQ(o[1].err, kEPERM);
  s.at[1][0] = metacopy_to(1);
  s.at[0][0] = E(K::None);
  o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_EQ(o[1].meta_slot, 1);
  EXPECT_EQ(o[1].data_slot, 2);
}

TEST_F(LookupEncodingTest, UpperMetacopyCannotReachDataOnlyDirectly) {  // R40
  auto s = make({SlotRole::Upper, SlotRole::Lower, SlotRole::Data});
  s.at[0][0] = metacopy_to(1);
  s.at[2][0] = E(K::Reg);
  auto o = run(s);
  EXPECT_EQ(o[1].err, kEIO);
}

TEST_F(LookupEncodingTest, DirectoryIsNotMergedBelowANonDirectory) {  // R10, R11
  auto s = make({SlotRole::Lower, SlotRole::Lower, SlotRole::Lower});
  s.at[0][0] = E(K::Dir);
  s.at[1][0] = E(K::Reg);
  s.at[2][0] = E(K::Dir);
  s.at[2][1] = E(K::Reg);
  auto o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_EQ(o[1].type, K::Dir);
  EXPECT_FALSE(o[1].child_listed);
  EXPECT_EQ(o[2].err, kENOENT);
  // Without the file in the middle, the lowest directory merges.
  s.at[1][0] = E(K::None);
  o = run(s);
  EXPECT_TRUE(o[1].child_listed);
  ASSERT_EQ(o[2].err, 0);
  EXPECT_EQ(o[2].meta_slot, 2);
}

TEST_F(LookupEncodingTest, WhiteoutsAndOpaqueDirectories) {  // R21, R22, R11
  auto s = make({SlotRole::Upper, SlotRole::Lower, SlotRole::Lower});
  s.at[0][0] = E(K::Whiteout);
  s.at[1][0] = E(K::Reg);
  auto o = run(s);
  EXPECT_EQ(o[1].err, kENOENT);
  EXPECT_FALSE(o[0].child_listed);
  // An xattr whiteout (size 0 + overlay.whiteout) in the upper hides it from lookup but is listed.
  s.at[0][0] = E(K::Reg);
  s.at[0][0].xwhiteout = true;
  s.at[0][0].empty = true;
  o = run(s);
  EXPECT_EQ(o[1].err, kENOENT);
  EXPECT_TRUE(o[0].child_listed);
  // Opaque directory in L1 hides L2's children.
  s.at[0][0] = E(K::None);
  s.at[1][0] = E(K::Dir);
  s.at[1][0].opaque = OpaqueVal::Y;
  s.at[2][0] = E(K::Dir);
  s.at[2][1] = E(K::Reg);
  o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_FALSE(o[1].child_listed);
  EXPECT_EQ(o[2].err, kENOENT);
}

TEST_F(LookupEncodingTest, RedirectsFollowAndNofollow) {  // R30, R31, R33, R28
  auto s = make({SlotRole::Upper, SlotRole::Lower, SlotRole::Lower});
  s.metacopy_on = false;  // metacopy=on with redirect_dir=nofollow is refused at mount (R59)
  // /a/a in the upper redirects to /a, which L2 holds as a directory with a child... at depth 2 only
  // /a/a exists, so redirect /a/a -> /a merges L1's /a (absolute: from the root of every lower).
  s.at[0][0] = E(K::Dir);
  s.at[0][1] = E(K::Dir);
  s.at[0][1].redirect = RedirectVal::Abs;
  s.at[0][1].target = 1;
  s.at[1][0] = E(K::Dir);
  auto o = run(s);
  ASSERT_EQ(o[2].err, 0);
  EXPECT_EQ(o[2].type, K::Dir);
  s.follow = false;
  o = run(s);
  EXPECT_EQ(o[2].err, kEPERM);
  s.follow = true;
  s.at[0][1].redirect = RedirectVal::Invalid;
  s.at[0][1].target = 0;
  o = run(s);
  EXPECT_EQ(o[2].err, kEINVAL);
}

TEST_F(LookupEncodingTest, DataLayerFailuresAreOpenErrors) {  // R37
  auto s = make({SlotRole::Lower, SlotRole::Lower, SlotRole::Data});
  s.metacopy_on = false;
  s.at[1][0] = metacopy_to(2);
  s.at[2][0] = E(K::Lnk);
  auto o = run(s);
  ASSERT_EQ(o[1].err, 0);
  EXPECT_EQ(o[1].data_slot, -1);
  EXPECT_EQ(o[1].open_err, kELOOP);
  s.at[2][0] = E(K::Reg);
  o = run(s);
  EXPECT_EQ(o[1].open_err, kENOTDIR);
  s.at[2][0] = E(K::Dir);
  o = run(s);
  EXPECT_EQ(o[1].open_err, kENOENT);
}

}  // namespace
}  // namespace ovl::smt
