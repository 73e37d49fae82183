// summary.md: plain tables that read well pasted into a mailing-list reply or a pull request.
#include "ovl/report_writers.hpp"
#include "ovl/tally.hpp"
#include "text_util.hpp"

namespace ovl {

using reports_detail::md_cell;
using reports_detail::shorten;

namespace {

constexpr std::size_t kMaxFailuresInDetail = 50;
constexpr std::size_t kMaxCell = 120;

std::string cell_text(const Counts& c) {
  if (c.total() == 0) return "-";
  switch (c.overall()) {
    case Verdict::Fail: return "FAIL " + std::to_string(c.fail) + "/" + std::to_string(c.total());
    case Verdict::Error: return "ERROR " + std::to_string(c.error) + "/" + std::to_string(c.total());
    case Verdict::Pass:
      return "pass " + std::to_string(c.pass) + (c.skip ? " (skip " + std::to_string(c.skip) + ")" : "");
    case Verdict::Skip: return "skip " + std::to_string(c.skip);
  }
  return "?";
}

std::string code(const std::string& s) { return "`" + md_cell(s) + "`"; }

}  // namespace

std::string render_markdown(const ResultsFile& f) {
  Tally t = tally(f);
  std::string m;
  m += "# ovlspec " + md_cell(f.header.command) + ": " + (t.total.fail || t.total.error ? "divergences found" : "conforms") +
       "\n\n";
  m += "ovlspec " + md_cell(f.header.ovlspec_version) + ", Linux " + md_cell(f.header.kernel_release) + ", " +
       md_cell(f.header.date);
  if (f.header.seed) m += ", seed " + std::to_string(*f.header.seed);
  if (f.header.z3_version) m += ", Z3 " + md_cell(*f.header.z3_version);
  m += "\n\n## Targets\n\n";
  m += "| target | level | pass | fail | skip | error | verdict |\n|---|---|---:|---:|---:|---:|---|\n";
  for (const auto& target : t.targets) {
    const Counts& c = t.per_target[target];
    const TargetAvailability* a = find_target(f.header, target);
    std::string verdict;
    if (a && !a->available) verdict = "unavailable: " + md_cell(a->reason);
    else if (c.fail || c.error) verdict = "**FAIL**";
    else if (c.pass == 0) verdict = "skipped";
    else verdict = "pass";
    m += "| " + md_cell(target) + " | " + (a && !a->level.empty() ? md_cell(a->level) : "-") + " | " +
         std::to_string(c.pass) + " | " + std::to_string(c.fail) + " | " + std::to_string(c.skip) + " | " +
         std::to_string(c.error) + " | " + verdict + " |\n";
  }
  m += "\n## Clauses\n\n| clause |";
  for (const auto& target : t.targets) m += " " + md_cell(target) + " |";
  m += "\n|---|";
  for (std::size_t i = 0; i < t.targets.size(); ++i) m += "---|";
  m += "\n";
  for (const auto& clause : t.clauses) {
    m += "| " + code(clause) + " |";
    for (const auto& target : t.targets) m += " " + cell_text(t.clause(clause, target)) + " |";
    m += "\n";
  }
  std::vector<const Result*> bad;
  for (const auto& r : f.results)
    if (r.verdict == Verdict::Fail || r.verdict == Verdict::Error) bad.push_back(&r);
  m += "\n## Failures\n\n";
  if (bad.empty()) m += "None.\n";
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const Result& r = *bad[i];
    if (i == kMaxFailuresInDetail) {
      m += "\n" + std::to_string(bad.size() - i) + " more (see index.html or results.jsonl):\n\n";
    }
    if (i >= kMaxFailuresInDetail) {
      m += "- " + md_cell(r.target) + ": " + code(r.case_name) + " " + std::string(verdict_name(r.verdict)) + "\n";
      continue;
    }
    m += "### " + md_cell(r.target) + ": " + md_cell(r.case_name) + " (" + std::string(verdict_name(r.verdict)) + ")\n\n";
    if (!r.source_file.empty()) m += "Case " + code(r.source_file) + ". ";
    if (!r.clauses.empty()) {
      m += "Clauses:";
      for (const auto& c : r.clauses) m += " " + code(c);
      m += ". ";
    }
    m += "Semantics " + code(r.semantics) + ".";
    if (r.seed) m += " Seed " + std::to_string(*r.seed) + ".";
    m += "\n\n";
    if (!r.reason.empty()) m += "Reason: " + md_cell(r.reason) + "\n\n";
    if (!r.divergences.empty()) {
      m += "| path | field | model | " + md_cell(r.target) + " | clauses |\n|---|---|---|---|---|\n";
      for (const auto& d : r.divergences) {
        std::string cs;
        for (const auto& c : d.clauses) cs += (cs.empty() ? "" : " ") + code(c);
        m += "| " + code(d.path.empty() ? "(mount)" : d.path) + " | " + md_cell(d.field) + " | " +
             md_cell(shorten(d.model, kMaxCell)) + " | " + md_cell(shorten(d.target, kMaxCell)) + " | " + cs + " |\n";
      }
      m += "\n";
    }
    for (const auto& e : r.failed_expectations) m += "- expectation failed: " + md_cell(e) + "\n";
    if (!r.failed_expectations.empty()) m += "\n";
    if (!r.reproducer.empty()) {
      std::string fence = "```";
      while (r.reproducer.find(fence) != std::string::npos) fence += "`";
      m += "Reproducer:\n\n" + fence + "sh\n" + reports_detail::valid_utf8(r.reproducer);
      if (r.reproducer.back() != '\n') m += "\n";
      m += fence + "\n\n";
    }
  }
  return m;
}

}  // namespace ovl
