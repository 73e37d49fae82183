#include "ovl/xattr_names.hpp"

#include <algorithm>

namespace ovl {

std::string_view ovl_xattr_suffix(OvlXattr x) {
  switch (x) {
    case OvlXattr::Opaque: return "opaque";
    case OvlXattr::Redirect: return "redirect";
    case OvlXattr::Origin: return "origin";
    case OvlXattr::Impure: return "impure";
    case OvlXattr::Nlink: return "nlink";
    case OvlXattr::Upper: return "upper";
    case OvlXattr::Uuid: return "uuid";
    case OvlXattr::Metacopy: return "metacopy";
    case OvlXattr::Protattr: return "protattr";
    case OvlXattr::Whiteout: return "whiteout";
  }
  return "?";
}

std::string_view ovl_xattr_prefix(bool userxattr) { return userxattr ? "user.overlay." : "trusted.overlay."; }

std::string ovl_xattr_name(bool userxattr, OvlXattr x) {
  std::string n(ovl_xattr_prefix(userxattr));
  n += ovl_xattr_suffix(x);
  return n;
}

bool is_private_xattr(std::string_view name, bool userxattr) {
  return name.starts_with(ovl_xattr_prefix(userxattr));
}

bool is_escaped_xattr(std::string_view name, bool userxattr) {
  std::string esc(ovl_xattr_prefix(userxattr));
  esc += "overlay.";
  return name.starts_with(esc);
}

std::string escape_xattr_name(std::string_view name, bool userxattr) {
  std::string_view p = ovl_xattr_prefix(userxattr);
  if (!name.starts_with(p)) return std::string(name);
  std::string out(p);
  out += "overlay.";
  out += name.substr(p.size());
  return out;
}

std::optional<std::string> listed_xattr_name(std::string_view real_name, bool userxattr, const Semantics& sem) {
  if (!is_private_xattr(real_name, userxattr)) return std::string(real_name);
  if (sem.has_escaped_xattrs() && is_escaped_xattr(real_name, userxattr)) {
    std::string_view p = ovl_xattr_prefix(userxattr);
    std::string out(p);
    out += real_name.substr(p.size() + std::string_view("overlay.").size());
    return out;
  }
  return std::nullopt;
}

std::vector<std::string> visible_overlay_xattrs(const Node& node, bool userxattr, const Semantics& sem) {
  std::vector<std::string> out;
  for (const auto& [name, value] : node.xattrs) {
    auto shown = listed_xattr_name(name, userxattr, sem);
    if (shown && shown->find(".overlay.") != std::string::npos) out.push_back(std::move(*shown));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ovl
