// KTAP version 1 (Documentation/dev-tools/ktap.rst): one top-level test per target, its cases as
// a nested block indented by two spaces, diagnostics as "# " lines before the result line.
#include "ovl/report_writers.hpp"
#include "ovl/tally.hpp"
#include "text_util.hpp"

namespace ovl {

using reports_detail::ktap_name;

std::string render_ktap(const ResultsFile& f) {
  Tally t = tally(f);
  std::string k = "KTAP version 1\n";
  k += "1.." + std::to_string(t.targets.size()) + "\n";
  k += "# ovlspec " + ktap_name(f.header.ovlspec_version) + " " + ktap_name(f.header.command) + " on Linux " +
       ktap_name(f.header.kernel_release) + " at " + ktap_name(f.header.date) + "\n";
  if (f.header.seed) k += "# seed " + std::to_string(*f.header.seed) + "\n";
  int number = 0;
  for (const auto& target : t.targets) {
    ++number;
    const Counts& c = t.per_target[target];
    const TargetAvailability* avail = find_target(f.header, target);
    k += "  KTAP version 1\n";
    k += "  1.." + std::to_string(c.total()) + "\n";
    if (avail && !avail->level.empty()) k += "  # " + ktap_name(target) + ": compared at kernel level " + ktap_name(avail->level) + "\n";
    int n = 0;
    for (const auto& r : f.results) {
      if (r.target != target) continue;
      ++n;
      std::string name = ktap_name(r.case_name);
      for (const auto& d : r.divergences)
        k += "  # " + ktap_name((d.path.empty() ? "(mount)" : d.path) + " " + d.field + ": model " + d.model + ", " +
                                target + " " + d.target) +
             "\n";
      for (const auto& e : r.failed_expectations) k += "  # expectation failed: " + ktap_name(e) + "\n";
      switch (r.verdict) {
        case Verdict::Pass: k += "  ok " + std::to_string(n) + " " + name + "\n"; break;
        case Verdict::Fail: k += "  not ok " + std::to_string(n) + " " + name + "\n"; break;
        case Verdict::Skip: k += "  ok " + std::to_string(n) + " " + name + " # SKIP " + ktap_name(r.reason) + "\n"; break;
        case Verdict::Error:
          k += "  not ok " + std::to_string(n) + " " + name + " # ERROR " + ktap_name(r.reason) + "\n";
          break;
      }
    }
    k += "# " + ktap_name(target) + ": pass " + std::to_string(c.pass) + ", fail " + std::to_string(c.fail) +
         ", skip " + std::to_string(c.skip) + ", error " + std::to_string(c.error) + "\n";
    std::string name = ktap_name(target);
    if (c.fail || c.error) {
      k += "not ok " + std::to_string(number) + " " + name + "\n";
    } else if (c.pass == 0) {
      std::string why = avail && !avail->available ? avail->reason : "every case was skipped";
      k += "ok " + std::to_string(number) + " " + name + " # SKIP " + ktap_name(why) + "\n";
    } else {
      k += "ok " + std::to_string(number) + " " + name + "\n";
    }
  }
  return k;
}

}  // namespace ovl
