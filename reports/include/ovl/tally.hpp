// Counting verdicts: per target, per clause × target and per section × target (the matrix).
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ovl/results_file.hpp"

namespace ovl {

/// Verdict counts of a set of results.
struct Counts {
  int pass = 0, fail = 0, skip = 0, error = 0;
  void add(Verdict v);
  int total() const { return pass + fail + skip + error; }
  /// The cell's colour: fail if any failed, else error if any errored, else pass if any passed,
  /// else skip (an all-skipped cell never reads as a pass).
  Verdict overall() const;
};

/// Every count the reports show, in a stable order.
struct Tally {
  std::vector<std::string> targets;   // header order, then targets seen only in results
  std::vector<std::string> sections;  // sorted
  std::vector<std::string> clauses;   // sorted
  std::map<std::string, std::string> section_of_clause;  // by the clause id's prefix
  std::map<std::string, Counts> per_target;
  /// A result counts once for every clause its case names (a case without clauses counts
  /// under its section: "generated" or "unclassified").
  std::map<std::pair<std::string, std::string>, Counts> per_clause;   // (clause, target)
  std::map<std::pair<std::string, std::string>, Counts> per_section;  // (section, target)
  Counts total;

  const Counts& clause(const std::string& clause, const std::string& target) const;
  const Counts& section(const std::string& section, const std::string& target) const;
};

/// Counts a results file.
Tally tally(const ResultsFile& f);
/// The section of a clause id ("data" for "data.redirect.order"), as Result::section does it.
std::string clause_section(const std::string& clause);
/// The header's availability record of a target, or nullptr.
const TargetAvailability* find_target(const RunHeader& h, const std::string& name);

}  // namespace ovl
