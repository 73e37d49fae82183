// The divergence table of check and check-image (divergence_table.hpp).
#include "ovl/divergence_table.hpp"

#include <nlohmann/json.hpp>

namespace ovl {

std::string divergence_lines(const std::vector<Divergence>& divergences, const std::string& target) {
  std::string out;
  for (const auto& d : divergences) {
    out += "  " + (d.path.empty() ? std::string("(mount)") : d.path) + "  " + d.field + ": model " + d.model + ", " +
           target + " " + d.target;
    if (!d.clauses.empty()) {
      out += " ";
      for (const auto& c : d.clauses) out += " [" + c + "]";
    }
    out += "\n";
  }
  return out;
}

const char* outcome_kind_name(TargetOutcome::Kind k) {
  switch (k) {
    case TargetOutcome::Kind::Observed: return "observed";
    case TargetOutcome::Kind::Skipped: return "skipped";
    case TargetOutcome::Kind::Error: return "error";
  }
  return "?";
}

std::string target_report(const CheckTarget& t) {
  switch (t.outcome.kind) {
    case TargetOutcome::Kind::Skipped: return t.name + ": SKIPPED: " + t.outcome.reason + "\n";
    case TargetOutcome::Kind::Error: return t.name + ": ERROR: " + t.outcome.reason + "\n";
    case TargetOutcome::Kind::Observed: break;
  }
  if (t.divergences.empty())
    return t.name + ": agrees with the model (" + std::to_string(t.outcome.observation.entries.size()) + " entries)\n";
  std::string out = t.name + ": " + std::to_string(t.divergences.size()) + " divergence" +
                    (t.divergences.size() == 1 ? "" : "s") + "\n" + divergence_lines(t.divergences, t.name);
  if (!t.outcome.mount_log.empty()) out += "  kernel log: " + t.outcome.mount_log + "\n";
  return out;
}

nlohmann::json target_json(const CheckTarget& t, bool with_observation) {
  nlohmann::json tj = {{"target", t.name}, {"status", outcome_kind_name(t.outcome.kind)}};
  if (!t.outcome.reason.empty()) tj["reason"] = t.outcome.reason;
  if (t.outcome.kind == TargetOutcome::Kind::Observed) {
    if (with_observation) tj["observation"] = to_json(t.outcome.observation);
    tj["divergences"] = nlohmann::json::array();
    for (const auto& d : t.divergences)
      tj["divergences"].push_back(
          {{"path", d.path}, {"field", d.field}, {"model", d.model}, {"target", d.target}, {"clauses", d.clauses}});
    if (!t.outcome.mount_log.empty()) tj["mount_log"] = t.outcome.mount_log;
  }
  return tj;
}

}  // namespace ovl
