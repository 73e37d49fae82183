// Layer trees: the objects a layer directory holds, in memory.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ovl {

/// The kind of a filesystem object, named as in the Observation schema.
enum class NodeType : std::uint8_t { Dir, Reg, Lnk, Chr, Blk, Fifo, Sock };

/// "dir", "reg", "lnk", "chr", "blk", "fifo" or "sock".
std::string_view type_name(NodeType t);
/// The inverse of type_name; nullopt for anything else.
std::optional<NodeType> type_from_name(std::string_view name);

/// One object in a layer: a directory with children, a file, a symlink or a special file.
struct Node {
  NodeType type = NodeType::Reg;
  std::uint32_t mode = 0644;            // permission bits (07777 mask)
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t size = 0;               // st_size of Reg; reads return data, then zeros up to size
  std::string data;                     // Reg: the leading bytes a read returns
  std::string target;                   // Lnk: the link target
  std::uint32_t rdev_major = 0, rdev_minor = 0;  // Chr, Blk
  std::map<std::string, std::string> xattrs;     // full name ("trusted.overlay.opaque") -> raw value
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;  // Dir only

  Node() = default;
  Node(const Node& other);
  Node& operator=(const Node& other);
  Node(Node&&) noexcept = default;
  Node& operator=(Node&&) noexcept = default;

  static Node dir(std::uint32_t mode = 0755);
  static Node file(std::string bytes, std::uint32_t mode = 0644);
  static Node symlink(std::string target);
  static Node chardev(std::uint32_t major, std::uint32_t minor);

  bool is_dir() const { return type == NodeType::Dir; }
  /// A character device 0/0: the classic whiteout.
  bool is_chardev_whiteout() const { return type == NodeType::Chr && rdev_major == 0 && rdev_minor == 0; }
  /// The xattr value, or nullopt when absent.
  std::optional<std::string_view> xattr(std::string_view name) const;
  /// The child of a directory, or nullptr.
  const Node* child(std::string_view name) const;
};

/// A layer's tree. The root is always a directory.
class Layer {
 public:
  Layer() : root_(Node::dir()) {}
  Node& root() { return root_; }
  const Node& root() const { return root_; }
  /// The node at an absolute path ("/", "/a/b"), or nullptr. Does not follow symlinks.
  const Node* find(std::string_view abs_path) const;
  /// Puts node at abs_path, creating missing parents as 0755 directories; returns the stored node.
  /// Replaces an existing node. Throws std::invalid_argument on a bad path or a non-dir parent.
  Node& put(std::string_view abs_path, Node node);
  /// Number of nodes, root included.
  std::size_t count() const;

 private:
  Node root_;
};

/// Splits "/a/b" into {"a","b"}; "/" gives {}. Throws std::invalid_argument unless the path is
/// absolute with non-empty components other than "." and "..".
std::vector<std::string> split_abs_path(std::string_view abs_path);
/// Joins a parent path and a name: ("/", "a") -> "/a", ("/a", "b") -> "/a/b".
std::string join_path(std::string_view parent, std::string_view name);

}  // namespace ovl
