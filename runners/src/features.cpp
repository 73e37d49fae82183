// Kernel feature detection by trying small mounts (features.hpp).
#include "ovl/features.hpp"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include <nlohmann/json.hpp>

#include "ovl/errnos.hpp"
#include "ovl/kernel_mount.hpp"
#include "ovl/materialize.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

// Runs in an isolated child: tries each feature on layers under base.
nlohmann::json try_features(const std::string& base) {
  Layer a, b;
  a.put("/f", Node::file("a"));
  Node wh = Node::file("");
  wh.xattrs["trusted.overlay.whiteout"] = "";
  a.put("/w", wh);
  b.put("/w", Node::file("hidden by an xattr whiteout"));
  materialize_layer(a, base, "A");
  materialize_layer(b, base, "B");
  if (mkdir((base + "/m").c_str(), 0755) != 0) throw std::runtime_error("mkdir m");
  if (chdir(base.c_str()) != 0) throw std::runtime_error("chdir " + base);
  nlohmann::json j;
  std::string mp = base + "/m";
  MountAttempt m = mount_legacy("lowerdir=A:B", mp);
  if (!m.ok) throw std::runtime_error("a plain two-layer overlay mount failed: " + errno_name(m.err) + " " + m.message);
  struct stat st {};
  j["xattr_whiteouts"] = lstat((mp + "/w").c_str(), &st) != 0 && errno == ENOENT;
  unmount(mp);
  m = mount_legacy("lowerdir=A::B", mp);
  j["data_only_layers"] = m.ok;
  if (m.ok) unmount(mp);
  m = mount_fsconfig({{FsconfigCall::Kind::String, "lowerdir", "A:B"}}, mp);
  j["new_mount_api"] = m.ok;
  if (m.ok) unmount(mp);
  m = mount_fsconfig({{FsconfigCall::Kind::String, "lowerdir+", "A"}, {FsconfigCall::Kind::String, "lowerdir+", "B"}}, mp);
  j["lowerdir_plus"] = m.ok;
  if (m.ok) unmount(mp);
  m = mount_fsconfig({{FsconfigCall::Kind::Fd, "lowerdir+", base + "/A"}, {FsconfigCall::Kind::Fd, "lowerdir+", base + "/B"}}, mp);
  j["fd_layers"] = m.ok;
  if (m.ok) unmount(mp);
  return j;
}

void lower_to(KernelFeatures& f, bool has, KernelVersion before, const std::string& what) {
  if (has) return;
  if (before < f.level) f.level = before;
  f.notes.push_back(what + " failed when tried: compared at most at " + before.str());
}

}  // namespace

KernelFeatures detect_kernel_features() {
  KernelFeatures f;
  utsname u{};
  if (uname(&u) == 0) f.release = u.release;
  if (auto v = KernelVersion::parse(f.release)) f.version = *v;
  f.level = f.version;
  f.overlay = !overlay_unavailable_reason().has_value();
  if (!f.overlay) {
    f.notes.push_back(*overlay_unavailable_reason());
    return f;
  }
  std::string base;
  try {
    Sandbox& sb = Sandbox::enter();
    base = sb.make_dir("features");
    ChildResult r = run_isolated([&] { return try_features(base).dump(); }, 20);
    sb.remove_tree(base);
    if (!r.ok) {
      f.notes.push_back("feature probing failed: " + r.error);
      return f;
    }
    auto j = nlohmann::json::parse(r.output);
    f.xattr_whiteouts = j.at("xattr_whiteouts").get<bool>();
    f.data_only_layers = j.at("data_only_layers").get<bool>();
    f.new_mount_api = j.at("new_mount_api").get<bool>();
    f.lowerdir_plus = j.at("lowerdir_plus").get<bool>();
    f.fd_layers = j.at("fd_layers").get<bool>();
  } catch (const std::exception& e) {
    f.notes.push_back(std::string("feature probing failed: ") + e.what());
    return f;
  }
  lower_to(f, f.fd_layers, {6, 12}, "FSCONFIG_SET_FD layers");
  lower_to(f, f.xattr_whiteouts, {6, 6}, "xattr whiteouts");
  lower_to(f, f.lowerdir_plus, {6, 6}, "lowerdir+");
  lower_to(f, f.data_only_layers, {6, 4}, "data-only layers");
  return f;
}

ModuleParams module_params() {
  ModuleParams m;
  auto read = [](const char* name) -> std::string {
    std::ifstream in(std::string("/sys/module/overlay/parameters/") + name);
    std::string v;
    in >> v;
    return v;
  };
  auto flag = [&](const char* name, bool& out) {
    std::string v = read(name);
    if (v == "Y" || v == "1") out = true;
    if (v == "N" || v == "0") out = false;
  };
  flag("redirect_dir", m.redirect_dir);
  flag("redirect_always_follow", m.redirect_always_follow);
  flag("metacopy", m.metacopy);
  flag("index", m.index);
  flag("nfs_export", m.nfs_export);
  flag("xino_auto", m.xino_auto);
  std::string max = read("redirect_max");
  if (!max.empty() && max.find_first_not_of("0123456789") == std::string::npos && max.size() < 9) m.redirect_max = std::stoi(max);
  return m;
}

const KernelFeatures& kernel_features() {
  static const KernelFeatures f = detect_kernel_features();
  return f;
}

}  // namespace ovl
