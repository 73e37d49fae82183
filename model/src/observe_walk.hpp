// Internal to the model: the Observation and the clause map of a mount from one walk.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "ovl/model.hpp"

namespace ovl {

/// An Observation and, for each of its paths, the clauses behind it (Model::clause_map's form).
using ObservedWithClauses =
    std::pair<Observation, std::vector<std::pair<std::string, std::vector<std::string>>>>;

namespace detail {

/// What observe(opts) and clause_map(opts) return, from a single walk (used by predict()).
ObservedWithClauses observe_with_clauses(const Model& m, const ObserveOptions& opts);

}  // namespace detail
}  // namespace ovl
