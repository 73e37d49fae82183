#include "ovl/observation.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ovl {
using nlohmann::json;

namespace {

std::string mode_text(std::uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

std::uint32_t parse_mode(const std::string& s, const std::string& where) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 8);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v > 07777)
    throw std::invalid_argument(where + ": \"mode\" must be an octal string such as \"0755\", got \"" + s + "\"");
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out + "]";
}

}  // namespace

void Observation::normalize() {
  for (auto& e : entries) {
    if (e.children) std::sort(e.children->begin(), e.children->end());
    if (e.xattrs) std::sort(e.xattrs->begin(), e.xattrs->end());
    std::sort(e.unspecified.begin(), e.unspecified.end());
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.path < b.path; });
}

const Entry* Observation::find(std::string_view path) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), path,
                             [](const Entry& e, std::string_view p) { return e.path < p; });
  if (it != entries.end() && it->path == path) return &*it;
  for (const auto& e : entries)  // not normalized yet
    if (e.path == path) return &e;
  return nullptr;
}

json to_json(const Entry& e) {
  json j;
  j["path"] = e.path;
  if (e.err) {
    j["errno"] = *e.err;
  } else {
    if (e.type) j["type"] = std::string(type_name(*e.type));
    if (e.mode) j["mode"] = mode_text(*e.mode);
    if (e.size) j["size"] = *e.size;
    if (e.content) j["content"] = *e.content;
    if (e.open_err) j["open_errno"] = *e.open_err;
    if (e.target) j["target"] = *e.target;
    if (e.children) j["children"] = *e.children;
    if (e.readdir_err) j["readdir_errno"] = *e.readdir_err;
    if (e.xattrs) j["xattrs"] = *e.xattrs;
  }
  if (e.source) j["source"] = {{"layer", e.source->layer}, {"path", e.source->path}};
  if (!e.unspecified.empty()) j["unspecified"] = e.unspecified;
  return j;
}

json to_json(const Observation& o) {
  json j;
  j["schema"] = kObservationSchema;
  if (o.mount.ok) {
    j["mount"] = {{"status", "ok"}};
  } else {
    json m = {{"status", "error"}, {"errno", o.mount.err}};
    if (!o.mount.clause.empty()) m["clause"] = o.mount.clause;
    if (!o.mount.message.empty()) m["message"] = o.mount.message;
    j["mount"] = m;
  }
  j["entries"] = json::array();
  for (const auto& e : o.entries) j["entries"].push_back(to_json(e));
  return j;
}

Entry entry_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("entry: expected an object");
  Entry e;
  auto str = [&](const char* k) -> std::optional<std::string> {
    if (!j.contains(k)) return std::nullopt;
    if (!j[k].is_string()) throw std::invalid_argument(std::string("entry \"") + k + "\": expected a string");
    return j[k].get<std::string>();
  };
  auto list = [&](const char* k) -> std::optional<std::vector<std::string>> {
    if (!j.contains(k)) return std::nullopt;
    if (!j[k].is_array()) throw std::invalid_argument(std::string("entry \"") + k + "\": expected an array");
    std::vector<std::string> v;
    for (const auto& x : j[k]) {
      if (!x.is_string()) throw std::invalid_argument(std::string("entry \"") + k + "\": expected strings");
      v.push_back(x.get<std::string>());
    }
    return v;
  };
  auto p = str("path");
  if (!p || p->empty() || (*p)[0] != '/') throw std::invalid_argument("entry: \"path\" must be an absolute path");
  e.path = *p;
  std::string where = "entry " + e.path;
  e.err = str("errno");
  if (auto t = str("type")) {
    e.type = type_from_name(*t);
    if (!e.type) throw std::invalid_argument(where + ": unknown \"type\" \"" + *t + "\"");
  }
  if (auto m = str("mode")) e.mode = parse_mode(*m, where);
  if (j.contains("size")) {
    if (!j["size"].is_number_unsigned()) throw std::invalid_argument(where + ": \"size\" must be a non-negative integer");
    e.size = j["size"].get<std::uint64_t>();
  }
  e.content = str("content");
  e.open_err = str("open_errno");
  e.target = str("target");
  e.children = list("children");
  e.readdir_err = str("readdir_errno");
  e.xattrs = list("xattrs");
  if (j.contains("source")) {
    const auto& s = j["source"];
    if (!s.is_object() || !s.contains("layer") || !s.contains("path") || !s["layer"].is_string() || !s["path"].is_string())
      throw std::invalid_argument(where + ": \"source\" must be {\"layer\": string, \"path\": string}");
    e.source = Source{s["layer"].get<std::string>(), s["path"].get<std::string>()};
  }
  if (auto u = list("unspecified")) e.unspecified = *u;
  return e;
}

Observation observation_from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("observation: expected a JSON object");
  if (!j.contains("schema") || j["schema"] != kObservationSchema)
    throw std::invalid_argument(std::string("observation: \"schema\" must be \"") + kObservationSchema + "\"");
  Observation o;
  if (!j.contains("mount") || !j["mount"].is_object() || !j["mount"].contains("status"))
    throw std::invalid_argument("observation: missing \"mount\": {\"status\": …}");
  const auto& m = j["mount"];
  if (m["status"] == "ok") {
    o.mount.ok = true;
  } else if (m["status"] == "error") {
    o.mount.ok = false;
    if (!m.contains("errno") || !m["errno"].is_string())
      throw std::invalid_argument("observation: a refused mount needs \"errno\"");
    o.mount.err = m["errno"].get<std::string>();
    if (m.contains("clause") && m["clause"].is_string()) o.mount.clause = m["clause"].get<std::string>();
    if (m.contains("message") && m["message"].is_string()) o.mount.message = m["message"].get<std::string>();
  } else {
    throw std::invalid_argument("observation: \"mount.status\" must be \"ok\" or \"error\"");
  }
  if (j.contains("entries")) {
    if (!j["entries"].is_array()) throw std::invalid_argument("observation: \"entries\" must be an array");
    for (const auto& e : j["entries"]) o.entries.push_back(entry_from_json(e));
  }
  o.normalize();
  return o;
}

std::vector<Divergence> diff(const Observation& model_in, const Observation& target_in, const DiffOptions& opts,
                             const std::vector<std::pair<std::string, std::vector<std::string>>>& clauses) {
  Observation model = model_in, target = target_in;
  model.normalize();
  target.normalize();
  std::vector<Divergence> out;
  auto clauses_of = [&](const std::string& path) {
    for (const auto& [p, c] : clauses)
      if (p == path) return c;
    return std::vector<std::string>{};
  };
  if (model.mount.ok != target.mount.ok) {
    out.push_back({"", "mount.status", model.mount.ok ? "ok" : "error " + model.mount.err,
                   target.mount.ok ? "ok" : "error " + target.mount.err,
                   model.mount.clause.empty() ? std::vector<std::string>{} : std::vector<std::string>{model.mount.clause}});
    return out;
  }
  if (!model.mount.ok) {
    std::vector<std::string> c;
    if (!model.mount.clause.empty()) c.push_back(model.mount.clause);
    if (model.mount.err != target.mount.err) out.push_back({"", "mount.errno", model.mount.err, target.mount.err, c});
    if (opts.compare_mount_message && model.mount.message != target.mount.message)
      out.push_back({"", "mount.message", model.mount.message, target.mount.message, c});
    return out;
  }
  auto opt_text = [](const auto& v) -> std::string {
    using T = std::decay_t<decltype(v)>;
    if (!v) return "absent";
    if constexpr (std::is_same_v<T, std::optional<std::string>>) return *v;
    else if constexpr (std::is_same_v<T, std::optional<std::uint64_t>>) return std::to_string(*v);
    else if constexpr (std::is_same_v<T, std::optional<std::uint32_t>>) return mode_text(*v);
    else if constexpr (std::is_same_v<T, std::optional<NodeType>>) return std::string(type_name(*v));
    else return join(*v);
  };
  std::size_t i = 0, k = 0;
  while (i < model.entries.size() || k < target.entries.size()) {
    bool take_model = k == target.entries.size() ||
                      (i < model.entries.size() && model.entries[i].path < target.entries[k].path);
    bool take_target = i == model.entries.size() ||
                       (k < target.entries.size() && target.entries[k].path < model.entries[i].path);
    if (take_model) {
      const auto& u = model.entries[i].unspecified;  // "present": the path may be absent (R16)
      if (std::find(u.begin(), u.end(), "present") == u.end())
        out.push_back({model.entries[i].path, "present", "present", "absent", clauses_of(model.entries[i].path)});
      ++i;
      continue;
    }
    if (take_target) {
      out.push_back({target.entries[k].path, "present", "absent", "present", clauses_of(target.entries[k].path)});
      ++k;
      continue;
    }
    const Entry& m = model.entries[i++];
    const Entry& t = target.entries[k++];
    auto open = [&](const char* field) {
      return std::find(m.unspecified.begin(), m.unspecified.end(), field) == m.unspecified.end();
    };
    auto cmp = [&](const char* field, const auto& a, const auto& b) {
      if (open(field) && a != b) out.push_back({m.path, field, opt_text(a), opt_text(b), clauses_of(m.path)});
    };
    cmp("errno", m.err, t.err);
    if (m.err && t.err) continue;
    if (!open("errno") && (m.err.has_value() != t.err.has_value())) continue;  // any outcome allowed
    cmp("type", m.type, t.type);
    if (opts.compare_mode) cmp("mode", m.mode, t.mode);
    cmp("size", m.size, t.size);
    cmp("content", m.content, t.content);
    cmp("open_errno", m.open_err, t.open_err);
    cmp("target", m.target, t.target);
    cmp("children", m.children, t.children);
    cmp("readdir_errno", m.readdir_err, t.readdir_err);
    cmp("xattrs", m.xattrs, t.xattrs);
  }
  return out;
}

}  // namespace ovl
