// JUnit XML in the dialect Jenkins, GitLab and GitHub test reporters all accept.
#include <cstdio>
#include <map>

#include "ovl/report_writers.hpp"
#include "ovl/tally.hpp"
#include "text_util.hpp"

namespace ovl {

using reports_detail::xml_escape;

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", s < 0 ? 0.0 : s);
  return buf;
}

std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + xml_escape(value) + "\"";
}

// The failure text: one line per divergence and per failed expectation.
std::string failure_text(const Result& r) {
  std::string t;
  for (const auto& d : r.divergences) {
    t += (d.path.empty() ? std::string("(mount)") : d.path) + " " + d.field + ": model " + d.model + ", " + r.target +
         " " + d.target;
    if (!d.clauses.empty()) {
      t += " [";
      for (std::size_t i = 0; i < d.clauses.size(); ++i) t += (i ? ", " : "") + d.clauses[i];
      t += "]";
    }
    t += "\n";
  }
  for (const auto& e : r.failed_expectations) t += "expectation failed: " + e + "\n";
  if (!r.reason.empty()) t += r.reason + "\n";
  return t;
}

std::string failure_message(const Result& r) {
  std::string m;
  if (!r.divergences.empty()) m += std::to_string(r.divergences.size()) + " divergence(s) from the model";
  if (!r.failed_expectations.empty())
    m += (m.empty() ? "" : ", ") + std::to_string(r.failed_expectations.size()) + " failed expectation(s)";
  if (m.empty()) m = r.reason.empty() ? "failed" : r.reason;
  return m;
}

}  // namespace

std::string render_junit(const ResultsFile& f) {
  Tally t = tally(f);
  std::map<std::string, double> seconds;
  double total_seconds = 0;
  for (const auto& r : f.results) {
    seconds[r.target] += r.seconds;
    total_seconds += r.seconds;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites" + attr("name", "ovlspec " + f.header.command) + attr("tests", std::to_string(t.total.total())) +
       attr("failures", std::to_string(t.total.fail)) + attr("errors", std::to_string(t.total.error)) +
       attr("skipped", std::to_string(t.total.skip)) + attr("time", seconds_text(total_seconds)) + ">\n";
  int suite_id = 0;
  for (const auto& target : t.targets) {
    const Counts& c = t.per_target[target];
    x += "  <testsuite" + attr("name", target) + attr("id", std::to_string(suite_id++)) +
         attr("tests", std::to_string(c.total())) + attr("failures", std::to_string(c.fail)) +
         attr("errors", std::to_string(c.error)) + attr("skipped", std::to_string(c.skip)) +
         attr("time", seconds_text(seconds[target]));
    if (!f.header.date.empty()) x += attr("timestamp", f.header.date);
    x += ">\n    <properties>\n";
    auto prop = [&](const char* k, const std::string& v) {
      x += "      <property" + attr("name", k) + attr("value", v) + "/>\n";
    };
    prop("ovlspec_version", f.header.ovlspec_version);
    prop("kernel_release", f.header.kernel_release);
    if (const TargetAvailability* a = find_target(f.header, target)) {
      prop("available", a->available ? "true" : "false");
      if (!a->reason.empty()) prop("unavailable_reason", a->reason);
      if (!a->level.empty()) prop("level", a->level);
    }
    if (f.header.seed) prop("seed", std::to_string(*f.header.seed));
    if (f.header.z3_version) prop("z3_version", *f.header.z3_version);
    x += "    </properties>\n";
    for (const auto& r : f.results) {
      if (r.target != target) continue;
      x += "    <testcase" + attr("classname", r.section()) + attr("name", r.case_name) +
           attr("time", seconds_text(r.seconds));
      if (!r.source_file.empty()) x += attr("file", r.source_file);
      std::string body;
      switch (r.verdict) {
        case Verdict::Pass: break;
        case Verdict::Fail:
          body += "      <failure" + attr("message", failure_message(r)) + attr("type", "divergence") + ">" +
                  xml_escape(failure_text(r)) + "</failure>\n";
          break;
        case Verdict::Skip: body += "      <skipped" + attr("message", r.reason) + "/>\n"; break;
        case Verdict::Error:
          body += "      <error" + attr("message", r.reason.empty() ? "harness error" : r.reason) +
                  attr("type", "harness") + ">" + xml_escape(failure_text(r)) + "</error>\n";
          break;
      }
      std::string out;
      if (!r.clauses.empty()) {
        out += "clauses:";
        for (const auto& c : r.clauses) out += " " + c;
        out += "\nsemantics: " + r.semantics + "\n";
      }
      if (r.seed) out += "seed: " + std::to_string(*r.seed) + "\n";
      if (!r.reproducer.empty()) out += "reproducer:\n" + r.reproducer;
      if (!out.empty()) body += "      <system-out>" + xml_escape(out) + "</system-out>\n";
      x += body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n";
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

}  // namespace ovl
