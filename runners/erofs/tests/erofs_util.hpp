// Helpers of the erofs kernel tests: the model's prediction for a case, readable diffs.
#pragma once
#include <string>

#include "ovl/case.hpp"
#include "ovl/features.hpp"
#include "ovl/predict.hpp"
#include "ovl/run.hpp"
#include "ovl/target.hpp"

namespace ovl::erofs_test {

/// The divergences between a target outcome and the model at the target's level with this
/// machine's module parameters and the target's filesystem layout, one line each ("" when none).
inline std::string divergences(const Case& c, const TargetOutcome& out, const Target& t) {
  Semantics sem = case_semantics(c, t.level(), true);
  sem.one_filesystem = t.layers_on_one_filesystem(c);
  Prediction p = predict(c, sem, module_params());
  std::string text;
  for (const auto& d : diff(p.observation, out.observation, {}, p.clauses))
    text += "  " + d.path + " " + d.field + ": model=" + d.model + " target=" + d.target + "\n";
  return text;
}

}  // namespace ovl::erofs_test
