#include "ovl/model_index.hpp"

#include "ovl/xattr_names.hpp"

namespace ovl::detail {

char opaque_value(const Node& dir, const std::string& name) {
  auto v = dir.xattr(name);
  return v && v->size() == 1 ? (*v)[0] : 0;
}

namespace {

bool has_x_dir(const Node& n, const std::string& opaque) {
  for (const auto& [name, child] : n.children) {
    if (!child->is_dir()) continue;
    if (opaque_value(*child, opaque) == 'x' || has_x_dir(*child, opaque)) return true;
  }
  return false;
}

}  // namespace

ModelIndex::ModelIndex(const Stack& stack, const MountConfig& config, const Semantics& sem) {
  const bool ux = config.userxattr;
  x_opaque = ovl_xattr_name(ux, OvlXattr::Opaque);
  x_redirect = ovl_xattr_name(ux, OvlXattr::Redirect);
  x_metacopy = ovl_xattr_name(ux, OvlXattr::Metacopy);
  x_whiteout = ovl_xattr_name(ux, OvlXattr::Whiteout);
  x_origin = ovl_xattr_name(ux, OvlXattr::Origin);
  // [readdir.impure]: with the layers on several filesystems (and xino off) readdir never looks
  // impure entries up, as if no directory carried the marker: an empty name never matches.
  x_impure = sem.one_filesystem ? ovl_xattr_name(ux, OvlXattr::Impure) : std::string();
  const int n = static_cast<int>(stack.layers.size());
  regular_pos.assign(n, -1);
  root_x.assign(n, false);
  any_x.assign(n, false);
  label.resize(n);
  int lower_no = 0, data_no = 0;
  for (int i = 0; i < n; ++i) {
    const StackLayer& l = stack.layers[i];
    switch (l.role) {
      case Role::Upper:
        upper = i;
        label[i] = "U (" + l.name + ")";
        break;
      case Role::Lower:
        regular_pos[i] = static_cast<int>(regular.size());
        regular.push_back(i);
        label[i] = "L" + std::to_string(++lower_no) + " (" + l.name + ")";
        break;
      case Role::DataOnly:
        // Before 6.5 there are no data-only layers: the model ignores them (the option parser refuses `::`).
        if (sem.has_data_only_layers()) data.push_back(i);
        label[i] = "D" + std::to_string(++data_no) + " (" + l.name + ")";
        break;
    }
  }
  if (!regular.empty()) lowest_regular = regular.back();
  follow = config.redirect != RedirectMode::NoFollow;
  check_redirect = follow || !data.empty();
  if (sem.has_xattr_whiteouts()) {
    for (int i : regular) {
      if (!stack.layers[i].tree) continue;
      const Node& root = stack.layers[i].tree->root();
      root_x[i] = i != lowest_regular && opaque_value(root, x_opaque) == 'x';
      any_x[i] = i != lowest_regular && (root_x[i] || has_x_dir(root, x_opaque));  // the lowest is never read (R13)
    }
  }
}

bool ModelIndex::is_data(int layer) const {
  for (int d : data)
    if (d == layer) return true;
  return false;
}

}  // namespace ovl::detail
