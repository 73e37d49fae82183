// Adapts a runners ovl::Target to the fuzzer's FuzzTarget. Header-only: include it only where
// ovl_runners is linked (cli, kernel tests, benchmarks); ovl_generators itself does not mount.
#pragma once
#include "ovl/fuzz.hpp"
#include "ovl/target.hpp"

namespace ovl::gen {

/// The fuzzer's view of a target: Observed outcomes pass through; Skipped and Error become
/// harness failures (never a pass), with the target's reason.
inline FuzzTarget fuzz_target(Target& t) {
  return FuzzTarget{t.name(), [&t](const Case& c) {
                      TargetOutcome o = t.run(c);
                      TargetRun r;
                      if (o.kind == TargetOutcome::Kind::Observed) {
                        r.observation = std::move(o.observation);
                      } else {
                        r.ok = false;
                        r.error = (o.kind == TargetOutcome::Kind::Skipped ? "skipped: " : "error: ") + o.reason;
                      }
                      return r;
                    }};
}

}  // namespace ovl::gen
