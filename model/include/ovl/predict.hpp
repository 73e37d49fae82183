// From a Case (or an option string and layers on disk) to the predicted Observation.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/model.hpp"

namespace ovl {

/// The model's prediction for one mount: the Observation, the model itself when the mount is
/// accepted, and the clauses behind each path (for divergence reports).
struct Prediction {
  Observation observation;
  std::optional<Model> model;
  std::vector<std::pair<std::string, std::vector<std::string>>> clauses;
};

/// Supplies the tree of a layer path named in the options; nullptr if it does not exist.
using LayerSource = std::function<std::shared_ptr<const Layer>(const std::string& path)>;

/// Parses the options (legacy string or the case's fsconfig sequence), builds the stack from the
/// case's layers and predicts the Observation. A refused mount gives mount.status=error.
Prediction predict(const Case& c, const Semantics& sem, const ModuleParams& module = {},
                   const ObserveOptions& opts = {});

/// The same for a legacy option string whose layers come from `layers` (e.g. read from disk);
/// `probe` answers the option parser's path checks.
Prediction predict_options(std::string_view options, const LayerSource& layers, const PathProbe& probe,
                           const Semantics& sem, const ModuleParams& module = {},
                           const ObserveOptions& opts = {});

}  // namespace ovl
