#include "ovl/result.hpp"

#include <ctime>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ovl {
using nlohmann::json;

namespace {

constexpr const char* kVerdictNames[] = {"pass", "fail", "skip", "error"};

const json* field(const json& j, const char* what, const char* key, bool required) {
  if (!j.is_object()) throw std::invalid_argument(std::string(what) + ": expected a JSON object");
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) throw std::invalid_argument(std::string(what) + ": missing field \"" + key + "\"");
    return nullptr;
  }
  return &*it;
}

std::string get_string(const json& j, const char* what, const char* key, bool required = true) {
  const json* v = field(j, what, key, required);
  if (!v) return {};
  if (!v->is_string())
    throw std::invalid_argument(std::string(what) + ": \"" + key + "\" must be a string, got " + v->dump());
  return v->get<std::string>();
}

std::vector<std::string> get_strings(const json& j, const char* what, const char* key) {
  const json* v = field(j, what, key, false);
  std::vector<std::string> out;
  if (!v) return out;
  if (!v->is_array())
    throw std::invalid_argument(std::string(what) + ": \"" + key + "\" must be an array of strings");
  for (const auto& s : *v) {
    if (!s.is_string())
      throw std::invalid_argument(std::string(what) + ": \"" + key + "\" must hold strings, got " + s.dump());
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::optional<std::uint64_t> get_seed(const json& j, const char* what) {
  const json* v = field(j, what, "seed", false);
  if (!v) return std::nullopt;
  if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<std::int64_t>() >= 0))
    throw std::invalid_argument(std::string(what) + ": \"seed\" must be a non-negative integer, got " + v->dump());
  return v->get<std::uint64_t>();
}

}  // namespace

std::string_view verdict_name(Verdict v) { return kVerdictNames[static_cast<int>(v)]; }

std::optional<Verdict> verdict_from_name(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (name == kVerdictNames[i]) return static_cast<Verdict>(i);
  return std::nullopt;
}

std::string Result::section() const {
  if (clauses.empty() || clauses.front().empty()) return origin == "corpus" ? "unclassified" : origin;
  const std::string& id = clauses.front();
  auto dot = id.find('.');
  if (id.rfind("proposal.", 0) == 0 && dot != std::string::npos) dot = id.find('.', dot + 1);
  return dot == std::string::npos ? id : id.substr(0, dot);
}

std::string ovlspec_version() {
#ifdef OVLSPEC_VERSION
  return OVLSPEC_VERSION;
#else
  return "unknown";
#endif
}

std::string utc_timestamp_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json to_json(const Divergence& d) {
  return json{{"path", d.path}, {"field", d.field}, {"model", d.model}, {"target", d.target}, {"clauses", d.clauses}};
}

Divergence divergence_from_json(const json& j) {
  const char* what = "divergence";
  Divergence d;
  d.path = get_string(j, what, "path");
  d.field = get_string(j, what, "field");
  d.model = get_string(j, what, "model");
  d.target = get_string(j, what, "target");
  d.clauses = get_strings(j, what, "clauses");
  return d;
}

json to_json(const Result& r) {
  json j;
  j["record"] = "result";
  j["case"] = r.case_name;
  if (!r.source_file.empty()) j["source"] = r.source_file;
  j["clauses"] = r.clauses;
  j["target"] = r.target;
  j["semantics"] = r.semantics;
  j["verdict"] = std::string(verdict_name(r.verdict));
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.divergences.empty()) {
    j["divergences"] = json::array();
    for (const auto& d : r.divergences) j["divergences"].push_back(to_json(d));
  }
  if (!r.failed_expectations.empty()) j["failed_expectations"] = r.failed_expectations;
  if (r.model_observation) j["model"] = to_json(*r.model_observation);
  if (r.target_observation) j["observed"] = to_json(*r.target_observation);
  if (!r.reproducer.empty()) j["reproducer"] = r.reproducer;
  j["seconds"] = r.seconds;
  if (r.seed) j["seed"] = *r.seed;
  j["origin"] = r.origin;
  return j;
}

Result result_from_json(const json& j) {
  const char* what = "result";
  Result r;
  if (get_string(j, what, "record") != "result")
    throw std::invalid_argument("result: \"record\" must be \"result\", got " + j.at("record").dump());
  r.case_name = get_string(j, what, "case");
  r.source_file = get_string(j, what, "source", false);
  r.clauses = get_strings(j, what, "clauses");
  r.target = get_string(j, what, "target");
  r.semantics = get_string(j, what, "semantics", false);
  std::string v = get_string(j, what, "verdict");
  auto verdict = verdict_from_name(v);
  if (!verdict)
    throw std::invalid_argument("result: \"verdict\" must be one of pass, fail, skip, error, got \"" + v + "\"");
  r.verdict = *verdict;
  r.reason = get_string(j, what, "reason", false);
  if (const json* d = field(j, what, "divergences", false)) {
    if (!d->is_array()) throw std::invalid_argument("result: \"divergences\" must be an array");
    for (const auto& x : *d) r.divergences.push_back(divergence_from_json(x));
  }
  r.failed_expectations = get_strings(j, what, "failed_expectations");
  try {
    if (const json* m = field(j, what, "model", false)) r.model_observation = observation_from_json(*m);
    if (const json* o = field(j, what, "observed", false)) r.target_observation = observation_from_json(*o);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("result: bad observation: ") + e.what());
  }
  r.reproducer = get_string(j, what, "reproducer", false);
  if (const json* s = field(j, what, "seconds", false)) {
    if (!s->is_number()) throw std::invalid_argument("result: \"seconds\" must be a number, got " + s->dump());
    r.seconds = s->get<double>();
  }
  r.seed = get_seed(j, what);
  if (field(j, what, "origin", false)) r.origin = get_string(j, what, "origin");
  return r;
}

json to_json(const RunHeader& h) {
  json j;
  j["schema"] = kResultsSchema;
  j["record"] = "header";
  j["ovlspec_version"] = h.ovlspec_version;
  j["kernel_release"] = h.kernel_release;
  j["date"] = h.date;
  j["command"] = h.command;
  j["targets"] = json::array();
  for (const auto& t : h.targets) {
    json tj{{"name", t.name}, {"available", t.available}};
    if (!t.reason.empty()) tj["reason"] = t.reason;
    if (!t.level.empty()) tj["level"] = t.level;
    j["targets"].push_back(tj);
  }
  if (h.z3_version) j["z3_version"] = *h.z3_version;
  if (h.seed) j["seed"] = *h.seed;
  return j;
}

RunHeader run_header_from_json(const json& j) {
  const char* what = "header";
  std::string schema = get_string(j, what, "schema");
  if (schema != kResultsSchema)
    throw std::invalid_argument("header: \"schema\" must be \"" + std::string(kResultsSchema) + "\", got \"" + schema + "\"");
  if (get_string(j, what, "record") != "header") throw std::invalid_argument("header: \"record\" must be \"header\"");
  RunHeader h;
  h.ovlspec_version = get_string(j, what, "ovlspec_version");
  h.kernel_release = get_string(j, what, "kernel_release", false);
  h.date = get_string(j, what, "date", false);
  h.command = get_string(j, what, "command", false);
  if (const json* t = field(j, what, "targets", false)) {
    if (!t->is_array()) throw std::invalid_argument("header: \"targets\" must be an array");
    for (const auto& x : *t) {
      TargetAvailability a;
      a.name = get_string(x, "header target", "name");
      const json* av = field(x, "header target", "available", true);
      if (!av->is_boolean()) throw std::invalid_argument("header target: \"available\" must be true or false");
      a.available = av->get<bool>();
      a.reason = get_string(x, "header target", "reason", false);
      a.level = get_string(x, "header target", "level", false);
      h.targets.push_back(a);
    }
  }
  if (field(j, what, "z3_version", false)) h.z3_version = get_string(j, what, "z3_version");
  h.seed = get_seed(j, what);
  return h;
}

}  // namespace ovl
