// The seeded case generator and GenCase -> Case.
#include "ovl/gen_case.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "rng.hpp"

namespace ovl::gen {

std::size_t GenCase::count(Role r) const {
  std::size_t n = 0;
  for (const auto& l : layers) n += l.role == r;
  return n;
}

std::size_t GenCase::entry_count() const {
  std::size_t n = 0;
  for (const auto& l : layers) n += l.entries.size();
  return n;
}

std::size_t GenCase::xattr_count() const {
  std::size_t n = 0;
  for (const auto& l : layers)
    for (const auto& e : l.entries) n += e.xattrs.size();
  return n;
}

std::string option_string(const GenCase& g) {
  std::string lower;
  for (const auto& l : g.layers) {
    if (l.role == Role::Lower) lower += (lower.empty() ? "" : ":") + l.name;
  }
  for (const auto& l : g.layers) {
    if (l.role == Role::DataOnly) lower += "::" + l.name;
  }
  std::string out = "lowerdir=" + lower;
  if (g.has_upper()) out += ",upperdir=" + g.layers.front().name + ",workdir=" + kWorkLayer;
  const auto& o = g.options;
  if (o.redirect_dir) out += ",redirect_dir=" + *o.redirect_dir;
  if (o.metacopy) out += ",metacopy=" + *o.metacopy;
  if (o.userxattr) out += ",userxattr";
  if (o.verity) out += ",verity=" + *o.verity;
  return out;
}

namespace {

std::size_t depth_of(const std::string& p) {
  return p == "/" ? 0 : static_cast<std::size_t>(std::count(p.begin(), p.end(), '/'));
}

Node node_of(const GenEntry& e) {
  Node n;
  n.type = e.type;
  switch (e.type) {
    case NodeType::Dir: n = Node::dir(); break;
    case NodeType::Reg:
      n = Node::file(e.data);
      n.size = std::max<std::uint64_t>(e.size, e.data.size());
      break;
    case NodeType::Lnk: n = Node::symlink(e.data); break;
    case NodeType::Chr:
    case NodeType::Blk:
      n.mode = 0644;
      n.rdev_major = e.rdev_major;
      n.rdev_minor = e.rdev_minor;
      break;
    case NodeType::Fifo:
    case NodeType::Sock: n.mode = 0644; break;
  }
  n.xattrs = e.xattrs;
  return n;
}

}  // namespace

Case to_case(const GenCase& g, const std::string& name) {
  Case c;
  c.name = name.empty() ? "generated/" + std::to_string(g.seed) : name;
  c.options = option_string(g);
  for (const auto& gl : g.layers) {
    auto layer = std::make_shared<Layer>();
    std::vector<const GenEntry*> order;
    for (const auto& e : gl.entries) order.push_back(&e);
    std::stable_sort(order.begin(), order.end(), [](const GenEntry* a, const GenEntry* b) {
      return depth_of(a->path) < depth_of(b->path);
    });
    for (const GenEntry* e : order) {
      if (e->path == "/") {
        if (e->type != NodeType::Dir) continue;
        layer->root().xattrs = e->xattrs;
        continue;
      }
      try {
        layer->put(e->path, node_of(*e));
      } catch (const std::invalid_argument&) {
        // a parent is not a directory (or a bad path): this entry cannot exist in this layer
      }
    }
    c.layers.emplace_back(gl.name, std::move(layer));
    // The workdir is declared as an empty layer: predict() checks every path the options name
    // against the case's layers, and the materializer then leaves an existing layer alone.
    if (gl.role == Role::Upper) c.layers.emplace_back(kWorkLayer, std::make_shared<Layer>());
  }
  return c;
}

std::uint64_t case_seed(std::uint64_t seed, std::uint64_t index) {
  Rng r{seed ^ (0x9e3779b97f4a7c15ULL * (index + 1))};
  r.next();
  return r.next();
}

std::vector<GenCase> generate_cases(std::uint64_t seed, std::size_t count, const GenParams& params) {
  std::vector<GenCase> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(generate_case_at(seed, i, params));
  return out;
}

std::string describe(const GenCase& g) {
  std::string out = "seed " + std::to_string(g.seed) + ": " + option_string(g) + "\n";
  for (const auto& l : g.layers) {
    out += "layer " + l.name + " (" + std::string(role_name(l.role)) + ")\n";
    for (const auto& e : l.entries) {
      out += "  " + std::string(type_name(e.type)) + " " + e.path;
      if (e.type == NodeType::Reg) out += " size=" + std::to_string(std::max<std::uint64_t>(e.size, e.data.size()));
      if (e.type == NodeType::Lnk) out += " -> " + e.data;
      if (e.type == NodeType::Chr || e.type == NodeType::Blk)
        out += " " + std::to_string(e.rdev_major) + "/" + std::to_string(e.rdev_minor);
      for (const auto& [k, v] : e.xattrs) {
        std::string shown;
        for (unsigned char ch : v) {
          if (ch >= 0x20 && ch < 0x7f) shown += static_cast<char>(ch);
          else { char buf[8]; std::snprintf(buf, sizeof buf, "\\x%02x", ch); shown += buf; }
        }
        out += " " + k + "=\"" + shown + "\"";
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace ovl::gen
