// Solver hygiene for every query of the prover: names, limits, SMT-LIB dumps and honest verdicts.
#pragma once
#include <chrono>
#include <optional>
#include <string>

#include <z3++.h>

namespace ovl::smt {

/// What Z3 answered for one query. Timeout and Unknown are never a pass.
enum class Answer : std::uint8_t { Sat, Unsat, Unknown, Timeout };

/// "sat", "unsat", "unknown", "timeout".
std::string answer_name(Answer a);

/// Limits and side outputs shared by every query.
struct SolveOptions {
  double timeout_seconds = 60;       // per query (Z3 "timeout")
  unsigned rlimit = 50'000'000;      // per query resource limit (Z3 "rlimit"); 0 = none
  std::string dump_dir;              // "" = no dump; else DIR/<query>.smt2 per query
};

/// The outcome of one named query.
struct QueryResult {
  std::string name;                  // e.g. "T1.kernel.n12"
  Answer answer = Answer::Unknown;
  std::string reason;                // Z3's reason_unknown for Unknown/Timeout
  double seconds = 0;
  std::optional<z3::model> model;    // set when Sat; never let it outlive its z3::context
};

/// Runs one query: names it, applies the limits, dumps SMT-LIB when asked, times it.
QueryResult run_query(z3::context& ctx, const std::string& name, const z3::expr& formula,
                      const SolveOptions& opts);

/// "4.8.12.0": the Z3 library version, recorded in every report.
std::string z3_version();

}  // namespace ovl::smt
