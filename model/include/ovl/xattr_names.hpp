// Overlay xattr names (R19, R47) and what listxattr shows of them (R48, R49).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovl/node.hpp"
#include "ovl/semantics.hpp"

namespace ovl {

/// The xattrs overlayfs interprets, by their suffix after "<P>overlay." (R19).
enum class OvlXattr : std::uint8_t { Opaque, Redirect, Origin, Impure, Nlink, Upper, Uuid, Metacopy, Protattr, Whiteout };

/// "opaque", "redirect", … for an OvlXattr.
std::string_view ovl_xattr_suffix(OvlXattr x);
/// The full name overlay reads: "trusted.overlay.opaque", or "user.overlay.opaque" with userxattr.
std::string ovl_xattr_name(bool userxattr, OvlXattr x);
/// The namespace prefix overlay interprets: "trusted.overlay." or "user.overlay.".
std::string_view ovl_xattr_prefix(bool userxattr);
/// True for a name overlay keeps to itself: it starts with the interpreted prefix (R48).
bool is_private_xattr(std::string_view name, bool userxattr);
/// True for an escaped name, "<P>overlay.overlay.X" (6.7+, R48).
bool is_escaped_xattr(std::string_view name, bool userxattr);
/// The escaped on-disk name of an overlay-namespace name: "<P>overlay.X" -> "<P>overlay.overlay.X".
std::string escape_xattr_name(std::string_view name, bool userxattr);
/// What listxattr on the merged view shows for a real xattr name, or nullopt when it is hidden:
/// private names are hidden, escaped names lose one "overlay." (6.7+), others show as they are.
std::optional<std::string> listed_xattr_name(std::string_view real_name, bool userxattr, const Semantics& sem);
/// The Observation's `xattrs` of a node: listed names that contain ".overlay.", sorted.
std::vector<std::string> visible_overlay_xattrs(const Node& node, bool userxattr, const Semantics& sem);

}  // namespace ovl
