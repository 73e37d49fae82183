#include "ovl/tally.hpp"

#include <algorithm>
#include <set>

namespace ovl {

void Counts::add(Verdict v) {
  switch (v) {
    case Verdict::Pass: ++pass; break;
    case Verdict::Fail: ++fail; break;
    case Verdict::Skip: ++skip; break;
    case Verdict::Error: ++error; break;
  }
}

Verdict Counts::overall() const {
  if (fail) return Verdict::Fail;
  if (error) return Verdict::Error;
  if (pass) return Verdict::Pass;
  return Verdict::Skip;
}

std::string clause_section(const std::string& clause) {
  Result r;
  r.clauses = {clause};
  return r.section();
}

const TargetAvailability* find_target(const RunHeader& h, const std::string& name) {
  for (const auto& t : h.targets)
    if (t.name == name) return &t;
  return nullptr;
}

const Counts& Tally::clause(const std::string& c, const std::string& t) const {
  static const Counts kNone;
  auto it = per_clause.find({c, t});
  return it == per_clause.end() ? kNone : it->second;
}

const Counts& Tally::section(const std::string& s, const std::string& t) const {
  static const Counts kNone;
  auto it = per_section.find({s, t});
  return it == per_section.end() ? kNone : it->second;
}

Tally tally(const ResultsFile& f) {
  Tally t;
  for (const auto& a : f.header.targets) t.targets.push_back(a.name);
  std::set<std::string> clauses, sections;
  for (const auto& r : f.results) {
    if (std::find(t.targets.begin(), t.targets.end(), r.target) == t.targets.end()) t.targets.push_back(r.target);
    t.per_target[r.target].add(r.verdict);
    t.total.add(r.verdict);
    std::string section = r.section();
    sections.insert(section);
    t.per_section[{section, r.target}].add(r.verdict);
    std::vector<std::string> cs = r.clauses;
    std::sort(cs.begin(), cs.end());
    cs.erase(std::unique(cs.begin(), cs.end()), cs.end());
    if (cs.empty()) cs.push_back(section);  // "generated" or "unclassified"
    for (const auto& c : cs) {
      clauses.insert(c);
      t.section_of_clause[c] = clause_section(c);
      sections.insert(t.section_of_clause[c]);
      t.per_clause[{c, r.target}].add(r.verdict);
    }
  }
  t.clauses.assign(clauses.begin(), clauses.end());
  t.sections.assign(sections.begin(), sections.end());
  return t;
}

}  // namespace ovl
