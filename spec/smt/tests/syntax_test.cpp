// The lowerdir syntax: the C++ reference (serializers, kernel splitter) and the SMT encoding.
#include <gtest/gtest.h>

#include <set>

#include "ovl/smt_syntax.hpp"

namespace ovl::smt {
namespace {

TEST(KernelSplit, AcceptsTheDocumentedForms) {
  auto r = kernel_split("A:B::C");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.layers, (std::vector<LayerItem>{{"A", false}, {"B", false}, {"C", true}}));
  r = kernel_split("A::B::C");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.layers, (std::vector<LayerItem>{{"A", false}, {"B", true}, {"C", true}}));
  r = kernel_split("A\\:x:B");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.layers[0].name, "A:x");
  r = kernel_split("A\\,b:B");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.layers[0].name, "A,b");
  r = kernel_split("A\\\\b:B");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.layers[0].name, "A\\b");
  r = kernel_split("A\\::B");
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.layers[0].name, "A:");
  EXPECT_EQ(r.layers.size(), 2u);
}

TEST(KernelSplit, RefusesTheDocumentedForms) {
  EXPECT_EQ(kernel_split("A::B:C").error, "regular lower layers cannot follow data lower layers");
  EXPECT_TRUE(kernel_split("A::B:C", true).ok);
  EXPECT_EQ(kernel_split("::A").error, "cannot append lower layer");
  EXPECT_EQ(kernel_split(":A").error, "cannot append lower layer");
  EXPECT_EQ(kernel_split("A:").error, "unescaped trailing colons in lowerdir mount option.");
  EXPECT_EQ(kernel_split("A::").error, "unescaped trailing colons in lowerdir mount option.");
  EXPECT_NE(kernel_split("A:::B").error.find("only single ':'"), std::string::npos);
  EXPECT_FALSE(kernel_split("A,B").ok);
  EXPECT_FALSE(kernel_split("").ok);
  EXPECT_FALSE(kernel_split("\\").ok);
  EXPECT_FALSE(kernel_split("a:\\").ok);
}

TEST(Serialize, EscapesAndSeparators) {
  std::vector<LayerItem> l{{"a:b", false}, {"c", true}, {"d,\\", true}};
  EXPECT_EQ(serialize(l, LowerdirSyntax::Kernel), "a\\:b::c::d\\,\\\\");
  EXPECT_EQ(serialize(l, LowerdirSyntax::Tail2023Middles), "a\\:b::c:d\\,\\\\");
  EXPECT_EQ(serialize(l, LowerdirSyntax::KernelNoEscapes), "a:b::c::d,\\");
  auto r = kernel_split(serialize(l, LowerdirSyntax::Kernel));
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.layers, l);
}

// Exhaustive cross-check of the reference at a small bound: every list of up to 3 layers with
// names of up to 2 characters over {a : \ ,} round-trips through the kernel's splitter when the
// kernel accepts its serialization, and no two such lists serialize to the same accepted string.
TEST(Serialize, ExhaustiveRoundTripSmallBound) {
  const std::string alphabet = "a:\\,";
  std::vector<std::string> names;
  for (char x : alphabet) {
    names.push_back(std::string(1, x));
    for (char y : alphabet) names.push_back(std::string{x, y});
  }
  std::map<std::string, std::vector<LayerItem>> seen;
  std::size_t lists = 0;
  std::function<void(std::vector<LayerItem>&)> rec = [&](std::vector<LayerItem>& cur) {
    if (!cur.empty()) {
      ++lists;
      std::string s = serialize(cur, LowerdirSyntax::Kernel);
      auto r = kernel_split(s);
      if (r.ok) {
        EXPECT_EQ(r.layers, cur) << s;
        auto [it, fresh] = seen.emplace(s, cur);
        EXPECT_TRUE(fresh) << "ambiguous: " << s;
      }
    }
    if (cur.size() == 3) return;
    for (const auto& n : names)
      for (bool d : {false, true}) {
        if (cur.empty() && d) continue;  // a list starts with a regular layer
        cur.push_back({n, d});
        rec(cur);
        cur.pop_back();
      }
  };
  std::vector<LayerItem> cur;
  rec(cur);
  EXPECT_GT(lists, 10000u);
  EXPECT_GT(seen.size(), 1000u);
}

TEST(SyntaxEncoding, KernelIsUnambiguousAtSmallBound) {
  SolveOptions o;
  o.timeout_seconds = 30;
  auto r = check_ambiguity(LowerdirSyntax::Kernel, 8, o, "test.kernel.n8");
  EXPECT_EQ(r.query.answer, Answer::Unsat);
}

TEST(SyntaxEncoding, NoEscapesIsAmbiguous) {
  SolveOptions o;
  auto r = check_ambiguity(LowerdirSyntax::KernelNoEscapes, 8, o, "test.noesc.n8");
  ASSERT_EQ(r.query.answer, Answer::Sat);
  ASSERT_TRUE(r.witness);
  // The witness is real: both readings serialize (without escapes) to the witness string.
  EXPECT_EQ(serialize(r.witness->reading1, LowerdirSyntax::KernelNoEscapes), r.witness->text);
  EXPECT_EQ(serialize(r.witness->reading2, LowerdirSyntax::KernelNoEscapes), r.witness->text);
  EXPECT_NE(r.witness->reading1, r.witness->reading2);
  EXPECT_EQ(r.minimal_length, 3);  // "a:a" = ["a:a"] = ["a","a"]
}

TEST(SyntaxEncoding, Tail2023WitnessIsReal) {
  SolveOptions o;
  auto r = check_ambiguity(LowerdirSyntax::Tail2023Middles, 8, o, "test.tail.n8");
  ASSERT_EQ(r.query.answer, Answer::Sat);
  ASSERT_TRUE(r.witness);
  const auto& w = *r.witness;
  EXPECT_EQ(w.text, "a::a:a");
  EXPECT_EQ(serialize(w.reading1, LowerdirSyntax::Tail2023Middles), w.text);
  EXPECT_EQ(serialize(w.reading2, LowerdirSyntax::Tail2023Middles), w.text);
  EXPECT_NE(w.reading1, w.reading2);
  EXPECT_TRUE(kernel_split(w.text, true).ok);
  EXPECT_TRUE(w.unique);
  auto renamed = distinct_names(w.reading1);
  EXPECT_EQ(serialize(renamed, LowerdirSyntax::Tail2023Middles), "a::b:c");
}

}  // namespace
}  // namespace ovl::smt
