// Helpers shared by the property tests: predicting generated cases and comparing Observations.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ovl/gen_case.hpp"
#include "ovl/predict.hpp"

namespace ovl::gen::testing {

/// The model's Observation of a generated case at a semantics (module defaults of the machine
/// the spec was written for), with `source` removed and everything normalized.
inline Observation model_obs(const GenCase& g, const Semantics& sem = {}) {
  Observation o = predict(to_case(g), sem).observation;
  for (auto& e : o.entries) e.source.reset();
  o.normalize();
  return o;
}

/// Every divergence of b from a (a plays the model: its unspecified fields accept anything), as
/// one line each; empty when they agree.
inline std::string differences(const Observation& a, const Observation& b) {
  std::string out;
  for (const auto& d : diff(a, b)) out += d.path + " " + d.field + ": " + d.model + " vs " + d.target + "\n";
  return out;
}

/// The JSON text of an Observation, for failure messages.
inline std::string text(const Observation& o) { return to_json(o).dump(1); }

}  // namespace ovl::gen::testing
