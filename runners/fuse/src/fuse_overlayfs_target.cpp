// The fuse-overlayfs target: Debian's fuse-overlayfs 1.10 as a child daemon (fuse_targets.hpp).
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <variant>

#include "fuse_case.hpp"
#include "ovl/option_layout.hpp"
#include "ovl/errnos.hpp"
#include "ovl/options.hpp"
#include "ovl/xattr_names.hpp"

namespace ovl {
namespace {

// The first overlay xattr among the layers' nodes that names a feature fuse-overlayfs lacks.
std::optional<std::string> unsupported_xattr(const Node& n, const std::string& where) {
  for (const auto& [name, value] : n.xattrs) {
    for (bool user : {false, true}) {
      if (name == ovl_xattr_name(user, OvlXattr::Redirect))
        return "redirects (" + name + " at " + where + "): fuse-overlayfs 1.10 supports only redirect_dir=off";
      if (name == ovl_xattr_name(user, OvlXattr::Metacopy))
        return "metacopy files (" + name + " at " + where + "): fuse-overlayfs 1.10 ignores metacopy";
      if (name == ovl_xattr_name(user, OvlXattr::Whiteout))
        return "xattr whiteouts (" + name + " at " + where + "): fuse-overlayfs 1.10 ignores them";
    }
  }
  for (const auto& [child, node] : n.children)
    if (auto why = unsupported_xattr(*node, where == "/" ? "/" + child : where + "/" + child)) return why;
  return std::nullopt;
}

/// fuse-overlayfs 1.10, spawned per case.
class FuseOverlayfsTarget : public Target {
 public:
  explicit FuseOverlayfsTarget(FuseTargetOptions o) : o_(std::move(o)) {}
  std::string name() const override { return "fuse-overlayfs"; }
  std::optional<std::string> unavailable() const override {
    if (access(o_.fuse_overlayfs.c_str(), X_OK) != 0) return o_.fuse_overlayfs + " is not installed";
    if (access(o_.fusermount.c_str(), X_OK) != 0) return o_.fusermount + " is not installed";
    return fuse_unavailable_reason();
  }
  std::optional<std::string> cannot_run(const Case& c) const override { return fuse_overlayfs_gap(c); }

  TargetOutcome run(const Case& c) override {
    if (auto why = why_not(c)) return skipped(*why);
    TargetOutcome out;
    // A mount the kernel refuses is judged by its errno; fuse-overlayfs reports a refusal only
    // by its exit status. Both refusing is therefore not comparable (skipped, with both reasons);
    // fuse-overlayfs mounting what the kernel refuses is a divergence like any other.
    std::optional<std::string> kernel_refusal;
    {
      ParseContext ctx;
      ctx.module = o_.module;
      ctx.semantics.kernel = level();
      ctx.probe = [&c](const std::string& path) -> PathInfo {
        if (c.layer(path)) return PathInfo{0, true, path};
        return PathInfo{ENOENT, false, ""};
      };
      MountResult mr = parse_mount_options(c.options, ctx);
      if (const auto* e = std::get_if<MountError>(&mr)) kernel_refusal = errno_name(e->err);
    }
    fuse_detail::Launch l;
    l.exit_before_mount_is_refusal = true;
    l.unmount_cmd = {o_.fusermount, "-u", fuse_detail::kMountpointArg};
    l.start = [exe = o_.fuse_overlayfs, options = c.options, mib = o_.base.memory_limit_mib](const MaterializedCase& m) {
      return FuseDaemon::spawn({exe, "-f", "-o", options, m.mountpoint}, m.layers_dir, m.mountpoint, mib);
    };
    out = fuse_detail::run_fuse_case(c, name(), o_, l);
    if (kernel_refusal && out.kind == TargetOutcome::Kind::Observed && !out.observation.mount.ok)
      return skipped("the kernel refuses this mount (" + *kernel_refusal + ") and so does fuse-overlayfs (" +
                  out.observation.mount.err + ": " + out.observation.mount.message +
                  "); it reports refusals by exit status, so the errnos cannot be compared");
    return out;
  }

 private:
  FuseTargetOptions o_;
};

}  // namespace

std::optional<std::string> fuse_overlayfs_gap(const Case& c) {
  for (const auto& s : c.semantics)
    if (!s.empty() && s != "kernel") return "written for the proposal '" + s + "', which fuse-overlayfs does not implement";
  if (c.fsconfig) return "an fsconfig sequence: fuse-overlayfs takes only a mount option string";
  OptionLayout lay = layout_of_options(c.options);
  if (!lay.data.empty()) return "data-only layers ('::'): fuse-overlayfs 1.10 reads '::' as ':'";
  if (lay.has_lowerdir_plus) return "lowerdir+/datadir+: fuse-overlayfs 1.10 does not know them";
  for (const auto& part : split_legacy_options(c.options)) {
    std::string key = part.substr(0, part.find('='));
    std::string value = part.find('=') == std::string::npos ? "" : part.substr(part.find('=') + 1);
    if (key == "redirect_dir" && value != "off")
      return "redirect_dir=" + value + ": fuse-overlayfs 1.10 supports only redirect_dir=off";
    if (key == "metacopy" && value == "on") return "metacopy=on: fuse-overlayfs 1.10 ignores metacopy";
    if (key == "userxattr") return "userxattr: fuse-overlayfs 1.10 ignores it (reads trusted.* and user.* alike)";
    if (key == "verity" && value != "off") return "verity=" + value + ": fuse-overlayfs 1.10 has no fs-verity checks";
  }
  for (const auto& [name, layer] : c.layers)
    if (auto why = unsupported_xattr(layer->root(), "/")) return "layer " + name + " uses " + *why;
  return std::nullopt;
}

std::unique_ptr<Target> make_fuse_overlayfs_target(FuseTargetOptions opts) {
  return std::make_unique<FuseOverlayfsTarget>(std::move(opts));
}

}  // namespace ovl
