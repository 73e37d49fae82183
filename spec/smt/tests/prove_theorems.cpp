// Every theorem at its default bound gives its expected verdict; deliberately broken encodings
// flip T1 and T6.
#include <gtest/gtest.h>

#include "ovl/smt_theorems.hpp"

namespace ovl::smt {
namespace {

ProveOptions defaults() {
  ProveOptions o;
  o.solve.timeout_seconds = 60;
  return o;
}

void expect_all_pass(const std::string& id) {
  auto rows = prove(id, defaults());
  ASSERT_FALSE(rows.empty());
  for (const auto& r : rows) {
    EXPECT_EQ(r.verdict(), "pass") << r.theorem << " " << r.semantics << ": answered " << answer_name(r.answer)
                                   << " " << r.reason << "\n" << r.witness;
    EXPECT_LT(r.seconds, 60.0) << r.theorem << " " << r.semantics;
  }
}

TEST(Theorems, T1KernelSyntaxUnambiguous) { expect_all_pass("T1"); }
TEST(Theorems, T2TailSyntaxWithMiddlesAmbiguous) {
  expect_all_pass("T2");
  auto rows = prove("T2", defaults());
  ASSERT_TRUE(rows[0].witness_case);
  EXPECT_EQ(rows[0].witness_case->options, "lowerdir=a::b:c");
  EXPECT_TRUE(rows[0].witness_unique);
}
TEST(Theorems, T3KernelSyntaxWithMiddlesUnambiguous) { expect_all_pass("T3"); }
TEST(Theorems, T4CaptureUnderKernelNotUnderDslash) {
  expect_all_pass("T4");
  auto rows = prove("T4", defaults());
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_TRUE(rows[0].witness_case);
  ASSERT_TRUE(rows[1].witness_case);
  // The capture witness names a regular layer as the data source; the reset witness fails with EIO.
  ASSERT_EQ(rows[0].witness_case->expects.size(), 1u);
  EXPECT_TRUE(rows[0].witness_case->expects[0].entry->content.has_value());
  EXPECT_EQ(rows[1].witness_case->expects[0].entry->err, "EIO");
}
TEST(Theorems, T5DataOnlyInvisible) { expect_all_pass("T5"); }
TEST(Theorems, T6Deterministic) { expect_all_pass("T6"); }

// A syntax without escapes is ambiguous: T1 with it answers SAT, so the verdict is FAIL.
TEST(BrokenEncodings, T1WithoutEscapesIsSat) {
  ProveOptions o = defaults();
  o.t1_syntax = LowerdirSyntax::KernelNoEscapes;
  auto rows = prove("T1", o);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].answer, Answer::Sat);
  EXPECT_EQ(rows[0].verdict(), "FAIL");
  EXPECT_FALSE(rows[0].witness.empty());
}

// Without canonical result records, an unconstrained field makes lookup look nondeterministic.
TEST(BrokenEncodings, T6WithoutCanonicalRecordsIsSat) {
  ProveOptions o = defaults();
  o.t6_encoding.canonicalise = false;
  auto rows = prove("T6", o);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].answer, Answer::Sat);
  EXPECT_EQ(rows[0].verdict(), "FAIL");
}

// Raising a bound is honoured (and still gives the expected verdict).
TEST(Bounds, HigherSyntaxBound) {
  ProveOptions o = defaults();
  o.syntax_length = 14;
  auto rows = prove("T1", o);
  EXPECT_EQ(rows[0].bound, "len<=14");
  EXPECT_EQ(rows[0].verdict(), "pass");
}

TEST(Bounds, UnknownTheoremIsRejected) { EXPECT_THROW(prove("T9", defaults()), std::invalid_argument); }

}  // namespace
}  // namespace ovl::smt
