// run_query: one named, limited, optionally dumped Z3 check.
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "ovl/smt_solver.hpp"

namespace ovl::smt {

std::string answer_name(Answer a) {
  switch (a) {
    case Answer::Sat: return "sat";
    case Answer::Unsat: return "unsat";
    case Answer::Unknown: return "unknown";
    case Answer::Timeout: return "timeout";
  }
  return "?";
}

std::string z3_version() {
  unsigned major = 0, minor = 0, build = 0, rev = 0;
  Z3_get_version(&major, &minor, &build, &rev);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build) + "." +
         std::to_string(rev);
}

QueryResult run_query(z3::context& ctx, const std::string& name, const z3::expr& formula,
                      const SolveOptions& opts) {
  QueryResult r;
  r.name = name;
  // simplify, propagate values and eliminate the defining equations before the SMT core: the
  // encodings bind many terms to constants (T6 is 4x faster this way).
  z3::solver s = (z3::tactic(ctx, "simplify") & z3::tactic(ctx, "propagate-values") & z3::tactic(ctx, "solve-eqs") &
                  z3::tactic(ctx, "smt"))
                     .mk_solver();
  z3::params p(ctx);
  if (opts.timeout_seconds > 0) p.set("timeout", static_cast<unsigned>(opts.timeout_seconds * 1000));
  if (opts.rlimit > 0) p.set("rlimit", opts.rlimit);
  s.set(p);
  s.add(formula);
  if (!opts.dump_dir.empty()) {
    std::filesystem::create_directories(opts.dump_dir);
    std::ofstream out(std::filesystem::path(opts.dump_dir) / (name + ".smt2"));
    if (!out) throw std::runtime_error("cannot write SMT-LIB dump into " + opts.dump_dir);
    out << "; ovlspec prove query " << name << " (Z3 " << z3_version() << ")\n";
    out << "(set-info :source |ovlspec " << name << "|)\n";
    out << s.to_smt2();
  }
  auto t0 = std::chrono::steady_clock::now();
  z3::check_result cr = s.check();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  switch (cr) {
    case z3::sat:
      r.answer = Answer::Sat;
      r.model = s.get_model();
      break;
    case z3::unsat: r.answer = Answer::Unsat; break;
    case z3::unknown: {
      r.reason = s.reason_unknown();
      bool limit = r.reason.find("timeout") != std::string::npos || r.reason.find("canceled") != std::string::npos ||
                   r.reason.find("resource") != std::string::npos || r.reason.find("rlimit") != std::string::npos;
      r.answer = limit ? Answer::Timeout : Answer::Unknown;
      break;
    }
  }
  return r;
}

}  // namespace ovl::smt
