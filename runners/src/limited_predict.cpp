// The model's prediction within a time and memory limit (limited_predict.hpp).
#include "ovl/child_wire.hpp"
#include "ovl/limited_predict.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace ovl {
namespace {

struct Size {
  std::uint64_t nodes = 0;
  std::uint64_t bytes = 0;
};

void measure(const Node& n, Size& s) {
  ++s.nodes;
  if (n.type == NodeType::Reg) s.bytes += std::max<std::uint64_t>(n.size, n.data.size());
  for (const auto& [name, child] : n.children)
    if (child) measure(*child, s);
}

}  // namespace

std::uint64_t prediction_cost(const Case& c) {
  Size s;
  for (const auto& [name, layer] : c.layers)
    if (layer) measure(layer->root(), s);
  std::uint64_t layers = c.layers.size();
  return (s.nodes + 1) * (layers + 1) + s.bytes / 1024;
}

Prediction predict_within_limits(const Case& c, const Semantics& sem, const ModuleParams& module,
                                 const PredictLimits& limits, const ObserveOptions& opts) {
  const std::uint64_t cost = prediction_cost(c);
  if (cost <= limits.in_process_max_cost) return predict(c, sem, module, opts);
  ChildResult r = run_limited(
      [&] {
        Prediction p = predict(c, sem, module, opts);
        nlohmann::json clauses = nlohmann::json::array();
        for (const auto& [path, ids] : p.clauses) clauses.push_back({path, ids});
        return to_wire(nlohmann::json{{"observation", to_json(p.observation)}, {"clauses", clauses}});
      },
      ChildLimits{limits.timeout_seconds, limits.memory_mib});
  const std::string what = "the model's prediction of a large case (cost " + std::to_string(cost) + ")";
  if (r.memory_exceeded) throw PredictionLimitError(what + ": " + r.error);
  if (r.timed_out) {
    char text[64];
    std::snprintf(text, sizeof text, "%.3g", limits.timeout_seconds);
    throw PredictionLimitError(what + ": time limit of " + text + " s exceeded (child killed)");
  }
  if (!r.ok) throw std::runtime_error(r.error);
  Prediction p;
  auto j = from_wire(r.output);
  p.observation = observation_from_json(j.at("observation"));
  for (const auto& e : j.at("clauses")) p.clauses.emplace_back(e.at(0).get<std::string>(), e.at(1).get<std::vector<std::string>>());
  return p;
}

}  // namespace ovl
