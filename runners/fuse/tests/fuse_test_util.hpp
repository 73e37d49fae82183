// Helpers shared by the FUSE tests: small cases, the model's prediction, readable diffs.
#pragma once
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/observation.hpp"
#include "ovl/predict.hpp"
#include "ovl/target.hpp"

namespace ovl::fuse_test {

/// Whether the process is gone (not even a zombie of ours).
inline bool process_gone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

/// Waits up to `seconds` for cond(); whether it became true.
template <class F>
bool eventually(F cond, double seconds) {
  auto t0 = std::chrono::steady_clock::now();
  while (!cond()) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > seconds) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

/// FUSE mounts in this mount namespace.
inline std::size_t fuse_mounts_here() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line))
    if (line.find(" - fuse ") != std::string::npos || line.find(" - fuse.") != std::string::npos) ++n;
  return n;
}

/// A case of two lowers (and an optional upper) built in code.
inline Case make_case(std::string name, std::string options,
                      std::vector<std::pair<std::string, Layer>> layers) {
  Case c;
  c.name = std::move(name);
  c.options = std::move(options);
  for (auto& [n, l] : layers) c.layers.emplace_back(n, std::make_shared<Layer>(std::move(l)));
  return c;
}

/// The model's prediction for a case at 6.18 with the model's default module parameters.
inline Prediction model_of(const Case& c, const ModuleParams& module = {}) {
  Semantics sem;
  sem.kernel = KernelVersion{6, 18};
  return predict(c, sem, module);
}

/// The divergences between a target outcome and the model, one line each ("" when none).
inline std::string divergences(const Case& c, const TargetOutcome& out, const ModuleParams& module = {}) {
  Prediction p = model_of(c, module);
  std::string text;
  for (const auto& d : diff(p.observation, out.observation, {}, p.clauses))
    text += "  " + d.path + " " + d.field + ": model=" + d.model + " target=" + d.target + "\n";
  return text;
}

/// The kind of an outcome, for messages.
inline const char* kind_name(const TargetOutcome& o) {
  switch (o.kind) {
    case TargetOutcome::Kind::Observed: return "observed";
    case TargetOutcome::Kind::Skipped: return "skipped";
    case TargetOutcome::Kind::Error: return "error";
  }
  return "?";
}

}  // namespace ovl::fuse_test
