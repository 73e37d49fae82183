#include "ovl/node.hpp"

#include <stdexcept>

namespace ovl {

std::string_view type_name(NodeType t) {
  switch (t) {
    case NodeType::Dir: return "dir";
    case NodeType::Reg: return "reg";
    case NodeType::Lnk: return "lnk";
    case NodeType::Chr: return "chr";
    case NodeType::Blk: return "blk";
    case NodeType::Fifo: return "fifo";
    case NodeType::Sock: return "sock";
  }
  return "?";
}

std::optional<NodeType> type_from_name(std::string_view name) {
  for (NodeType t : {NodeType::Dir, NodeType::Reg, NodeType::Lnk, NodeType::Chr, NodeType::Blk,
                     NodeType::Fifo, NodeType::Sock})
    if (type_name(t) == name) return t;
  return std::nullopt;
}

Node::Node(const Node& o)
    : type(o.type), mode(o.mode), uid(o.uid), gid(o.gid), size(o.size), data(o.data),
      target(o.target), rdev_major(o.rdev_major), rdev_minor(o.rdev_minor), xattrs(o.xattrs) {
  for (const auto& [name, child] : o.children) children.emplace(name, std::make_unique<Node>(*child));
}

Node& Node::operator=(const Node& o) {
  if (this != &o) *this = Node(o);
  return *this;
}

Node Node::dir(std::uint32_t mode) {
  Node n;
  n.type = NodeType::Dir;
  n.mode = mode;
  return n;
}

Node Node::file(std::string bytes, std::uint32_t mode) {
  Node n;
  n.type = NodeType::Reg;
  n.mode = mode;
  n.size = bytes.size();
  n.data = std::move(bytes);
  return n;
}

Node Node::symlink(std::string target) {
  Node n;
  n.type = NodeType::Lnk;
  n.mode = 0777;
  n.size = target.size();
  n.target = std::move(target);
  return n;
}

Node Node::chardev(std::uint32_t major, std::uint32_t minor) {
  Node n;
  n.type = NodeType::Chr;
  n.mode = 0644;
  n.rdev_major = major;
  n.rdev_minor = minor;
  return n;
}

std::optional<std::string_view> Node::xattr(std::string_view name) const {
  auto it = xattrs.find(std::string(name));
  if (it == xattrs.end()) return std::nullopt;
  return std::string_view(it->second);
}

const Node* Node::child(std::string_view name) const {
  auto it = children.find(name);
  return it == children.end() ? nullptr : it->second.get();
}

std::vector<std::string> split_abs_path(std::string_view p) {
  if (p.empty() || p.front() != '/') throw std::invalid_argument("path must be absolute: '" + std::string(p) + "'");
  std::vector<std::string> out;
  std::size_t i = 1;
  while (i < p.size()) {
    std::size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    if (part.empty() || part == "." || part == "..")
      throw std::invalid_argument("bad path component '" + std::string(part) + "' in '" + std::string(p) + "'");
    out.emplace_back(part);
    i = j + 1;
  }
  return out;
}

std::string join_path(std::string_view parent, std::string_view name) {
  std::string out(parent);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

const Node* Layer::find(std::string_view abs_path) const {
  const Node* n = &root_;
  std::size_t i = 0;
  while (i < abs_path.size()) {
    if (abs_path[i] == '/') { ++i; continue; }
    std::size_t j = abs_path.find('/', i);
    if (j == std::string_view::npos) j = abs_path.size();
    if (!n->is_dir()) return nullptr;
    n = n->child(abs_path.substr(i, j - i));
    if (!n) return nullptr;
    i = j;
  }
  return n;
}

Node& Layer::put(std::string_view abs_path, Node node) {
  auto parts = split_abs_path(abs_path);
  if (parts.empty()) {
    if (!node.is_dir()) throw std::invalid_argument("the root of a layer must be a directory");
    auto kids = std::move(root_.children);
    root_ = std::move(node);
    if (root_.children.empty()) root_.children = std::move(kids);
    return root_;
  }
  Node* n = &root_;
  for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
    auto it = n->children.find(parts[k]);
    if (it == n->children.end()) it = n->children.emplace(parts[k], std::make_unique<Node>(Node::dir())).first;
    if (!it->second->is_dir())
      throw std::invalid_argument("'" + parts[k] + "' in '" + std::string(abs_path) + "' is not a directory");
    n = it->second.get();
  }
  auto& slot = n->children[parts.back()];
  slot = std::make_unique<Node>(std::move(node));
  return *slot;
}

static std::size_t count_nodes(const Node& n) {
  std::size_t c = 1;
  for (const auto& [_, ch] : n.children) c += count_nodes(*ch);
  return c;
}

std::size_t Layer::count() const { return count_nodes(root_); }

}  // namespace ovl
