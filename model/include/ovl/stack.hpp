// The layers of one mount, in order, with their roles.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ovl/node.hpp"

namespace ovl {

/// Where a layer sits in the mount: above everything, a regular lower, or a data-only lower.
enum class Role : std::uint8_t { Upper, Lower, DataOnly };

/// "upper", "lower" or "data-only".
std::string_view role_name(Role r);

/// One layer of a stack: its name exactly as written in the mount options, its role, its tree.
struct StackLayer {
  std::string name;
  Role role = Role::Lower;
  std::shared_ptr<const Layer> tree;
};

/// The layers of a mount, top first: the upper (if any), the regular lowers top to bottom, then
/// the data-only lowers in search order (under the data-only-middle proposal, data-only layers
/// may also sit between regular lowers).
struct Stack {
  std::vector<StackLayer> layers;
  /// Directories inside a layer that are the root of another layer or the workdir, as
  /// (layer index, path): overlay's trap inodes; lookup meeting one fails with ELOOP (R17).
  std::vector<std::pair<int, std::string>> traps;

  bool has_upper() const { return !layers.empty() && layers.front().role == Role::Upper; }
  std::size_t count(Role r) const;
};

}  // namespace ovl
