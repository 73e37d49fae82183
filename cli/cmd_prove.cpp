// `ovlspec prove`: the bounded theorems T1–T6 (spec/smt), a table of verdicts, and the SAT
// witnesses run through the kernel targets.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_errors.hpp"
#include "commands.hpp"
#include "ovl/smt_theorems.hpp"
#ifdef OVL_SMT_HAVE_RUNNERS
#include "ovl/sandbox.hpp"
#include "ovl/smt_confirm.hpp"
#endif

namespace ovl::cli {

namespace {

struct ProveArgs {
  std::vector<std::string> theorems;
  std::vector<std::string> bounds;
  bool json = false;
  std::string dump_dir;
  double timeout = 60;
  unsigned rlimit = 50'000'000;
  bool no_kernel = false;
  bool no_minimise = false;
};

int parse_int(const std::string& what, const std::string& text, int lo, int hi) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || v < lo || v > hi)
    throw BadInput("--bound " + what + "=" + text + ": expected an integer from " + std::to_string(lo) + " to " +
                   std::to_string(hi));
  return v;
}

smt::ProveOptions options_of(const ProveArgs& a) {
  smt::ProveOptions o;
  for (const std::string& b : a.bounds) {
    auto eq = b.find('=');
    std::string key = eq == std::string::npos ? "" : b.substr(0, eq);
    std::string val = eq == std::string::npos ? "" : b.substr(eq + 1);
    if (key == "len") o.syntax_length = parse_int(key, val, 1, 64);
    else if (key == "layers") o.lookup.layers = parse_int(key, val, 2, 8);
    else if (key == "depth") o.lookup.depth = parse_int(key, val, 1, 6);
    else throw BadInput("--bound '" + b + "': expected len=N (T1–T3), layers=N or depth=N (T4–T6)");
  }
  if (a.timeout <= 0) throw BadInput("--timeout " + std::to_string(a.timeout) + ": expected a positive number of seconds");
  o.solve.timeout_seconds = a.timeout;
  o.solve.rlimit = a.rlimit;
  o.solve.dump_dir = a.dump_dir;
  o.minimise = !a.no_minimise;
  return o;
}

struct Confirm {
  std::string target, status, detail;
};

int run_prove(const ProveArgs& a) {
  std::vector<std::string> ids = a.theorems;
  if (ids.empty()) ids = smt::theorem_ids();
  for (const std::string& id : ids) {
    try {
      smt::theorem_title(id);
    } catch (const std::invalid_argument& e) {
      throw BadInput(e.what());
    }
  }
  smt::ProveOptions opts = options_of(a);
  std::string kernel_skip;
#ifdef OVL_SMT_HAVE_RUNNERS
  // The sandbox (a private mount namespace) must be entered while the process is single-threaded,
  // i.e. before Z3 starts its timer threads.
  if (!a.no_kernel) {
    if (auto why = overlay_unavailable_reason()) {
      kernel_skip = *why;
    } else {
      try {
        Sandbox::enter();
      } catch (const SandboxError& e) {
        kernel_skip = e.what();
      }
    }
  }
#else
  kernel_skip = "this build has no kernel targets (runners/)";
#endif
  std::vector<smt::TheoremRow> rows;
  for (const std::string& id : ids)
    for (auto& r : smt::prove(id, opts)) rows.push_back(std::move(r));

  // SAT witnesses through the kernel targets.
  std::vector<std::vector<Confirm>> confirms(rows.size());
#ifdef OVL_SMT_HAVE_RUNNERS
  if (!a.no_kernel && kernel_skip.empty()) {
    auto targets = smt::kernel_targets();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!rows[i].witness_case) continue;
      for (auto& t : targets) {
        smt::Confirmation c = smt::confirm_witness(rows[i], *t);
        confirms[i].push_back({c.target, c.status, c.detail});
      }
    }
  }
#endif

  bool all_pass = true, all_confirmed = true;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    all_pass = all_pass && rows[i].verdict() == "pass";
    for (const auto& c : confirms[i]) all_confirmed = all_confirmed && c.status != "NOT confirmed" && c.status != "error";
  }

  if (a.json) {
    nlohmann::json j;
    j["schema"] = "ovlspec.prove/1";
    j["z3"] = smt::z3_version();
    j["timeout_seconds"] = opts.solve.timeout_seconds;
    j["rlimit"] = opts.solve.rlimit;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      nlohmann::json x{{"theorem", r.theorem},   {"title", r.title},     {"semantics", r.semantics},
                       {"bound", r.bound},       {"query", r.query},     {"expected", smt::answer_name(r.expected)},
                       {"answer", smt::answer_name(r.answer)},           {"verdict", r.verdict()},
                       {"seconds", r.seconds}};
      if (!r.reason.empty()) x["reason"] = r.reason;
      if (!r.witness.empty()) {
        x["witness"] = r.witness;
        x["witness_unique"] = r.witness_unique;
        x["witness_options"] = r.witness_case ? r.witness_case->options : "";
        x["kernel_check"] = r.kernel_check;
      }
      for (const auto& c : confirms[i])
        x["kernel"].push_back({{"target", c.target}, {"status", c.status}, {"detail", c.detail}});
      if (r.witness_case && confirms[i].empty())
        x["kernel"].push_back({{"target", "kernel"}, {"status", "skipped"}, {"detail", a.no_kernel ? "--no-kernel" : kernel_skip}});
      j["rows"].push_back(x);
    }
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("ovlspec prove — Z3 %s, timeout %g s, rlimit %u per query\n\n", smt::z3_version().c_str(),
                opts.solve.timeout_seconds, opts.solve.rlimit);
    std::printf("%-4s %-30s %-18s %-8s %-8s %8s  %s\n", "thm", "semantics", "bound", "expected", "verdict", "time",
                "witness");
    for (const auto& r : rows) {
      std::string w = r.witness.empty() ? "-" : (r.witness_unique ? "unique, minimal" : "minimal") + std::string(" (below)");
      std::printf("%-4s %-30s %-18s %-8s %-8s %7.2fs  %s\n", r.theorem.c_str(), r.semantics.c_str(), r.bound.c_str(),
                  smt::answer_name(r.expected).c_str(), r.verdict().c_str(), r.seconds, w.c_str());
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      if (r.verdict() == "TIMEOUT" || r.verdict() == "UNKNOWN")
        std::printf("\n%s %s: %s (%s)\n", r.theorem.c_str(), r.semantics.c_str(), r.verdict().c_str(), r.reason.c_str());
      if (r.witness.empty()) continue;
      std::printf("\n%s %s — %s\n  witness: %s\n", r.theorem.c_str(), r.semantics.c_str(), r.title.c_str(),
                  r.witness.c_str());
      if (r.witness_case) std::printf("  mount:   %s\n  check:   %s\n", r.witness_case->options.c_str(), r.kernel_check.c_str());
      for (const auto& c : confirms[i])
        std::printf("  %-16s %s: %s\n", c.target.c_str(), c.status.c_str(), c.detail.c_str());
      if (confirms[i].empty())
        std::printf("  kernel:  skipped, not confirmed (%s)\n", a.no_kernel ? "--no-kernel" : kernel_skip.c_str());
    }
  }
  return all_pass && all_confirmed ? kExitOk : kExitDivergence;
}

}  // namespace

void add_prove(CLI::App& app, Action& run) {
  auto args = std::make_shared<ProveArgs>();
  CLI::App* sub = app.add_subcommand("prove", "Check the bounded theorems T1–T6 about the lowerdir syntax and lookup with Z3");
  sub->add_option("theorems", args->theorems, "theorems to check (T1 … T6; default: all)");
  sub->add_option("--bound", args->bounds, "raise a bound: len=N (T1–T3, default 12), layers=N (default 3), depth=N (default 2)");
  sub->add_flag("--json", args->json, "print JSON (schema ovlspec.prove/1)");
  sub->add_option("--dump-smt", args->dump_dir, "write each query as SMT-LIB into DIR/<query>.smt2");
  sub->add_option("--timeout", args->timeout, "seconds per query (default 60)");
  sub->add_option("--rlimit", args->rlimit, "Z3 resource limit per query (default 50000000; 0 = none)");
  sub->add_flag("--no-kernel", args->no_kernel, "do not run SAT witnesses through the kernel targets");
  sub->add_flag("--no-minimise", args->no_minimise, "report the first witness found, unminimised");
  sub->callback([args, &run] { run = [args]() { return run_prove(*args); }; });
}

}  // namespace ovl::cli
