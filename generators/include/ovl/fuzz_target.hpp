// Adapts a runners ovl::Target to the fuzzer's FuzzTarget. Header-only: include it only where
// ovl_runners is linked (cli, kernel tests, benchmarks); ovl_generators itself does not mount.
#pragma once
#include "ovl/fuzz.hpp"
#include "ovl/target.hpp"

namespace ovl::gen {

/// The fuzzer's view of a target: Observed outcomes pass through; Skipped and Error become
/// harness failures (never a pass), with the target's reason.
inline TargetRun fuzz_run_of(TargetOutcome o) {
  TargetRun r;
  if (o.kind == TargetOutcome::Kind::Observed) {
    r.observation = std::move(o.observation);
  } else {
    r.ok = false;
    r.error = (o.kind == TargetOutcome::Kind::Skipped ? "skipped: " : "error: ") + o.reason;
  }
  return r;
}

inline FuzzTarget fuzz_target(Target& t) {
  return FuzzTarget{t.name(), [&t](const Case& c) { return fuzz_run_of(t.run(c)); },
                    [&t](const std::vector<const Case*>& cs) {
                      std::vector<TargetRun> out;
                      for (auto& o : t.run_many(cs)) out.push_back(fuzz_run_of(std::move(o)));
                      return out;
                    }};
}

}  // namespace ovl::gen
