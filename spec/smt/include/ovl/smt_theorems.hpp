// The theorems of `ovlspec prove` (T1–T6), each checked as named bounded queries.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/smt_lookup.hpp"
#include "ovl/smt_solver.hpp"
#include "ovl/smt_syntax.hpp"

namespace ovl::smt {

/// The bounds and limits of one `prove` run.
struct ProveOptions {
  int syntax_length = 12;          // T1–T3: strings of 1..syntax_length characters
  LookupBound lookup{3, 2};        // T4–T6
  SolveOptions solve;
  bool minimise = true;            // minimise SAT witnesses and check uniqueness
  EncodingOptions t6_encoding{true, true};  // T6 (tests switch canonicalisation off)
  std::optional<LowerdirSyntax> t1_syntax;  // T1 with another syntax (tests: kernel-no-escapes)
};

/// One row of the report: one query of one theorem under one semantics.
struct TheoremRow {
  std::string theorem;             // "T1"
  std::string title;
  std::string semantics;           // "kernel", "dslash-redirect", "tail-2023+middles" …
  std::string bound;               // "len<=12", "layers=3,depth=2"
  std::string query;               // the query's name (its SMT-LIB dump file)
  Answer expected = Answer::Unsat;
  Answer answer = Answer::Unknown;
  std::string reason;              // Z3's reason for unknown/timeout
  double seconds = 0;              // solver time, minimisation included
  std::string witness;             // SAT: the minimised witness, in words
  bool witness_unique = false;
  std::optional<Case> witness_case;  // SAT: the witness as a case, for the kernel targets
  std::string kernel_check;        // how the witness is confirmed on a kernel (what to compare)

  /// "pass" (answer == expected), "FAIL" (the opposite answer), "TIMEOUT", "UNKNOWN".
  std::string verdict() const;
};

/// "T1" … "T6".
std::vector<std::string> theorem_ids();
/// The one-line statement of a theorem; throws std::invalid_argument for an unknown id.
std::string theorem_title(const std::string& id);
/// Checks one theorem: one row per semantics/variant it is stated for.
std::vector<TheoremRow> prove(const std::string& id, const ProveOptions& opts);

/// The witness stack as a conformance case (layers U, L<i>, D<i>, W; default file contents).
Case bounded_case(const BoundedStack& s, const std::string& name, const std::vector<std::string>& clauses,
                  const Semantics& sem);
/// The legacy option string of a bounded stack.
std::string bounded_options(const BoundedStack& s);
/// The path /a^depth.
std::string chain_path(int depth);
/// The bytes of the regular file at (slot, depth) of a case made by bounded_case.
std::string bounded_content(const BoundedStack& s, int slot, int depth);

}  // namespace ovl::smt
