// Internal to the model: what a Model precomputes once about its stack (roles, xattr names).
#pragma once
#include <string>
#include <vector>

#include "ovl/config.hpp"
#include "ovl/semantics.hpp"
#include "ovl/stack.hpp"

namespace ovl::detail {

/// Layer roles by stack index, the interpreted xattr names, and per-layer opaque=x facts.
struct ModelIndex {
  int upper = -1;               // stack index of the upper layer, -1 without one
  std::vector<int> regular;     // stack indices of the regular lowers, top first (the root's stack)
  std::vector<int> regular_pos; // stack index -> position in `regular`, or -1
  std::vector<int> data;        // stack indices of the data-only layers, in search order
  int lowest_regular = -1;      // stack index of the lowest regular layer (R13 "last")
  bool follow = true;           // redirect_dir != nofollow
  bool check_redirect = true;   // follow, or data-only layers exist (kernel's check_redirect)
  std::vector<bool> root_x;     // regular lower (not the lowest) whose root has opaque=x (R2)
  std::vector<bool> any_x;      // regular lower holding a non-root dir with opaque=x
  std::vector<std::string> label;  // "U (upper)", "L1 (A)", "D1 (C)": how traces name layers
  // The overlay xattr names the mount reads; x_impure is "" (never present) when the layers
  // are not on one filesystem (Semantics::one_filesystem, [readdir.impure]).
  std::string x_opaque, x_redirect, x_metacopy, x_whiteout, x_origin, x_impure;

  ModelIndex(const Stack& stack, const MountConfig& config, const Semantics& sem);
  bool is_data(int layer) const;
};

/// The 1-byte value of a dir's opaque xattr, or 0 (R20: longer values do not count).
char opaque_value(const Node& dir, const std::string& name);

}  // namespace ovl::detail
