// run_suite (run.hpp): corpus + generated cases through the chosen targets, results.jsonl, the
// four reports, a progress line and the per-clause verdicts.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "ovl/case_format.hpp"
#include "ovl/report_writers.hpp"
#include "ovl/run.hpp"
#include "ovl/tally.hpp"

namespace ovl {

namespace {

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}

// "kernel 30 pass 2 fail" for the progress line and the totals.
std::string counts_words(const Counts& c) {
  std::string s;
  auto add = [&](int n, const char* w) {
    if (n) s += (s.empty() ? "" : " ") + std::to_string(n) + " " + w;
  };
  add(c.pass, "pass");
  add(c.fail, "fail");
  add(c.skip, "skip");
  add(c.error, "error");
  return s.empty() ? "nothing" : s;
}

std::string cell(const Counts& c) {
  if (c.total() == 0) return "-";
  switch (c.overall()) {
    case Verdict::Fail: return "FAIL " + std::to_string(c.fail) + "/" + std::to_string(c.total());
    case Verdict::Error: return "ERROR " + std::to_string(c.error) + "/" + std::to_string(c.total());
    case Verdict::Pass: return "pass " + std::to_string(c.pass);
    case Verdict::Skip: return "skip " + std::to_string(c.skip);
  }
  return "?";
}

// The per-clause verdict table and the totals, for the terminal.
void print_verdicts(const ResultsFile& f, std::ostream& out) {
  Tally t = tally(f);
  std::size_t w0 = 6;
  for (const auto& c : t.clauses) w0 = std::max(w0, c.size());
  std::vector<std::size_t> w;
  for (const auto& target : t.targets) {
    std::size_t m = target.size();
    for (const auto& c : t.clauses) m = std::max(m, cell(t.clause(c, target)).size());
    w.push_back(m);
  }
  out << pad("clause", w0);
  for (std::size_t i = 0; i < t.targets.size(); ++i) out << "  " << pad(t.targets[i], w[i]);
  out << "\n";
  for (const auto& c : t.clauses) {
    out << pad(c, w0);
    for (std::size_t i = 0; i < t.targets.size(); ++i) out << "  " << pad(cell(t.clause(c, t.targets[i])), w[i]);
    out << "\n";
  }
  out << "\n";
  for (const auto& target : t.targets) {
    const TargetAvailability* a = find_target(f.header, target);
    out << pad(target, w0) << "  " << counts_words(t.per_target[target]);
    if (a && !a->available) out << "  (unavailable: " << a->reason << ")";
    out << "\n";
  }
  int shown = 0;
  for (const auto& r : f.results) {
    if (r.verdict != Verdict::Fail && r.verdict != Verdict::Error) continue;
    if (shown++ == 0) out << "\nfailures:\n";
    if (shown > 20) continue;
    out << "  " << r.target << ": " << r.case_name << " (" << verdict_name(r.verdict) << ")";
    if (!r.divergences.empty())
      out << " " << (r.divergences[0].path.empty() ? "(mount)" : r.divergences[0].path) << " "
          << r.divergences[0].field << ": model " << r.divergences[0].model << ", " << r.target << " "
          << r.divergences[0].target << (r.divergences.size() > 1 ? " …" : "");
    else if (!r.failed_expectations.empty())
      out << " " << r.failed_expectations[0];
    else if (!r.reason.empty())
      out << " " << r.reason;
    out << "\n";
  }
  if (shown > 20) out << "  … " << shown - 20 << " more in summary.md\n";
}

}  // namespace

SuiteOutcome run_suite(const SuiteConfig& cfg, std::ostream& progress, std::ostream& out) {
  SuiteOutcome result;
  // The targets: model always first, then the requested ones (or every registered one).
  std::vector<std::string> names{"model"};
  const std::vector<std::string> requested = cfg.targets.empty() ? cfg.registry.names() : cfg.targets;
  for (const auto& n : requested) {
    if (!cfg.registry.find(n)) {
      std::string known;
      for (const auto& k : cfg.registry.names()) known += (known.empty() ? "" : ", ") + k;
      throw std::invalid_argument("unknown target \"" + n + "\" (known: " + known + ")");
    }
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  if (!cfg.registry.find("model")) throw std::invalid_argument("the target registry has no \"model\" target");
  if (cfg.generated > 0 && !cfg.generator)
    throw std::invalid_argument("--generated needs the case generator, which this build does not have");
  if (!cfg.cases_dir.empty() && !std::filesystem::is_directory(cfg.cases_dir))
    throw std::invalid_argument("--cases: " + cfg.cases_dir.string() + " is not a directory");

  TargetContext ctx;
  ctx.module = cfg.module;
  ctx.level = cfg.kernel;
  ctx.options = cfg.target_options;
  std::vector<std::unique_ptr<Target>> owned;
  std::vector<Target*> targets;
  RunHeader header;
  header.ovlspec_version = cfg.ovlspec_version;
  header.kernel_release = cfg.kernel_release;
  header.date = utc_timestamp_now();
  header.command = "run";
  if (cfg.generated > 0) header.seed = cfg.seed;
  for (const auto& n : names) {
    owned.push_back(cfg.registry.find(n)->make(ctx));
    targets.push_back(owned.back().get());
    auto why = owned.back()->unavailable();
    KernelVersion level = cfg.kernel ? *cfg.kernel : owned.back()->level();
    header.targets.push_back({n, !why, why ? *why : "", level.str()});
    if (why && !cfg.targets.empty() && n != "model") result.missing_targets.push_back(n + ": " + *why);
  }

  std::vector<RunCase> cases;
  if (!cfg.cases_dir.empty())
    for (auto& c : load_corpus(cfg.cases_dir)) cases.push_back({std::move(c), "corpus", std::nullopt});
  if (cfg.generated > 0)
    for (auto& rc : cfg.generator(cfg.seed, cfg.generated)) cases.push_back(std::move(rc));

  std::filesystem::create_directories(cfg.out_dir);
  auto results_path = cfg.out_dir / "results.jsonl";
  SpecText spec;
  if (!cfg.spec_file.empty()) {
    try {
      spec = load_spec_text(cfg.spec_file);
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());
    }
  }

  bool tty = &progress == &std::cerr && ::isatty(STDERR_FILENO);
  auto last = std::chrono::steady_clock::now();
  std::map<std::string, Counts> running;
  std::size_t counted = 0;
  RunOptions opts;
  opts.kernel = cfg.kernel;
  opts.module = cfg.module;
  opts.check_health = cfg.check_health;
  opts.model_timeout_seconds = cfg.target_options.case_timeout_seconds;
  opts.model_memory_mib = cfg.target_options.memory_limit_mib;
  opts.on_progress = [&](std::size_t done, std::size_t total, const std::vector<Result>& so_far) {
    for (; counted < so_far.size(); ++counted) running[so_far[counted].target].add(so_far[counted].verdict);
    auto now = std::chrono::steady_clock::now();
    if (!tty && done != total && now - last < std::chrono::seconds(5)) return;
    last = now;
    std::string line = "ovlspec run: " + std::to_string(done) + "/" + std::to_string(total) + " cases";
    for (const auto& n : names) line += " | " + n + " " + counts_words(running[n]);
    progress << (tty ? "\r\033[K" : "") << line << (tty && done != total ? "" : "\n") << std::flush;
  };
  if (cfg.resume && std::filesystem::exists(results_path)) {
    std::size_t dropped = drop_torn_tail(results_path);
    if (dropped) progress << "ovlspec run: resuming: dropped a torn last line (" << dropped << " bytes)\n";
    ResultsFile before = read_results(results_path);
    for (const auto& r : before.results)
      if (r.origin != "health") opts.done.insert(r.case_name + "\t" + r.target);
    progress << "ovlspec run: resuming " << results_path.string() << ": " << before.results.size()
             << " results already there\n";
    ResultsWriter writer(results_path, ResultsWriter::Append{});
    run_cases(cases, targets, opts, &writer);
  } else {
    ResultsWriter writer(results_path, header);
    run_cases(cases, targets, opts, &writer);
  }
  if (cases.empty()) progress << "ovlspec run: no cases to run\n";
  // The reports come from the file alone, exactly as `ovlspec report` renders them.
  result.results = read_results(results_path);
  write_reports(result.results, cfg.out_dir, spec);
  print_verdicts(result.results, out);
  out << "\nreports: " << (cfg.out_dir / "index.html").string() << ", summary.md, junit.xml, ktap.txt, results.jsonl\n";

  Tally t = tally(result.results);
  result.exit_code = t.total.fail || t.total.error ? 1 : 0;
  if (!result.missing_targets.empty() && result.exit_code == 0) result.exit_code = 3;
  return result;
}

}  // namespace ovl
