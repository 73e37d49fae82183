// The shared parts of the batching transform (batch_core.hpp).
#include "batch_core.hpp"

#include <algorithm>
#include <set>

#include "ovl/batch.hpp"

namespace ovl::gen::detail {

bool is_redirect_name(const std::string& name) {
  return name == "trusted.overlay.redirect" || name == "user.overlay.redirect";
}

bool is_opaque_name(const std::string& name) { return name == "trusted.overlay.opaque" || name == "user.overlay.opaque"; }

std::string first_component(const std::string& path) {
  std::size_t j = path.find('/', 1);
  return path.substr(1, j == std::string::npos ? std::string::npos : j - 1);
}

std::string rename_absolute(const std::string& v, std::size_t k) {
  std::string out;
  int depth = 0;
  std::size_t i = 1;
  while (i <= v.size()) {
    std::size_t j = v.find('/', i);
    if (j == std::string::npos) j = v.size();
    std::string c = v.substr(i, j - i);
    out += "/";
    if (c.empty() || c == ".") {
      out += c;
    } else if (c == "..") {
      out += c;
      if (depth > 0) --depth;
      else depth = -1000;  // escaped the root: nothing after this is at the root any more
    } else {
      out += depth == 0 ? batch_name(c, k) : c;
      ++depth;
    }
    i = j + 1;
  }
  return out;
}

std::string rename_redirect(const std::string& value, std::size_t k, bool top_level) {
  if (value.empty()) return value;
  if (value.front() == '/') return rename_absolute(value, k);
  if (top_level && value.find('/') == std::string::npos && value != "." && value != "..") return batch_name(value, k);
  return value;
}

bool has_xwhiteout_marker(const std::vector<FlatEntry>& entries) {
  for (const auto& e : entries)
    if (e.path != "/" && e.xattrs)
      for (const auto& [name, value] : *e.xattrs)
        if (is_opaque_name(name) && value == "x") return true;
  return false;
}

bool flag_sensitive(const std::vector<FlatEntry>& entries) {
  // Directory paths that may carry the xwhiteouts flag (opaque=x in a regular lower, the root
  // included), and the parents of regular files in regular lowers (readdir looks those up in a
  // flagged dir and drops the ones that fail, R23). Redirected directories merge other paths:
  // then any flagged directory and any such file count.
  std::set<std::string> marked, parents;
  bool redirects = false;
  for (const auto& e : entries) {
    if (e.role != Role::Lower) continue;
    if (e.type == NodeType::Reg) {
      std::size_t i = e.path.rfind('/');
      parents.insert(i == 0 ? "/" : e.path.substr(0, i));
    }
    if (!e.xattrs) continue;
    for (const auto& [name, value] : *e.xattrs) {
      if (e.type == NodeType::Dir && is_opaque_name(name) && value == "x") marked.insert(e.path);
      if (e.type == NodeType::Dir && is_redirect_name(name)) redirects = true;
    }
  }
  if (marked.empty() || parents.empty()) return false;
  if (redirects) return true;
  for (const auto& p : parents)
    if (marked.count(p)) return true;
  return false;
}

LayerFlags layer_flags(const std::vector<FlatEntry>& entries, const std::vector<int>& layer_of,
                       const std::string& opaque_name) {
  auto bit = [](int layer) { return std::uint64_t{1} << std::min(layer, 63); };
  LayerFlags f;
  std::uint64_t own_x = 0;  // layers where the case decides the flag itself (any opaque=x, root included)
  std::set<std::string> marked, parents_seen;
  bool redirects = false;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (!e.xattrs) continue;
    for (const auto& [name, value] : *e.xattrs) {
      if (is_opaque_name(name) && value == "x") {
        // Either namespace may set a flag as far as we know (more setters: fewer batches), but
        // only the namespace the mount reads decides the case's own flags (found by the fuzzer:
        // a user.overlay.opaque=x without userxattr counted as the case's own, seed 20261129).
        if (name == opaque_name) own_x |= bit(layer_of[i]);
        if (e.path != "/") f.sets |= bit(layer_of[i]);
        if (e.type == NodeType::Dir && e.role == Role::Lower) marked.insert(e.path);
      }
      if (e.type == NodeType::Dir && e.role == Role::Lower && is_redirect_name(name)) redirects = true;
    }
  }
  if (marked.empty()) return f;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    // Only a lookup that fails drops the entry, and a regular file without xattrs is found and
    // kept by the lookup that reaches it first.
    if (e.role != Role::Lower || e.type != NodeType::Reg || !e.xattrs || e.xattrs->empty()) continue;
    std::size_t slash = e.path.rfind('/');
    std::string parent = slash == 0 ? "/" : e.path.substr(0, slash);
    // A redirected directory merges other paths of the case: then any flagged dir may list the file.
    if (redirects || marked.count(parent)) f.reads |= bit(layer_of[i]);
  }
  f.reads &= ~own_x;
  return f;
}

}  // namespace ovl::gen::detail
