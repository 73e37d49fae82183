// Shared by the option-language fuzz targets: a ParseContext chosen by one input byte, with a
// path probe that answers from the path's own spelling (no filesystem), so every check runs.
#pragma once
#include <cerrno>
#include <cstdint>
#include <string>
#include <variant>

#include "fuzz_input.hpp"
#include "ovl/options.hpp"

namespace ovl::fuzz {

/// Paths starting with "missing" do not exist, "file" are regular files, "notdir/" fail with
/// ENOTDIR, "ovl" lie on an overlay (stack depth 1), "mnt" on another mount; everything else
/// is a directory whose canonical name is the path with "./" and duplicate slashes removed.
inline PathInfo probe_by_name(const std::string& path) {
  PathInfo pi;
  if (path.starts_with("missing")) return PathInfo{ENOENT, false, ""};
  if (path.starts_with("notdir/")) return PathInfo{ENOTDIR, false, ""};
  if (path.starts_with("file")) pi.is_dir = false;
  if (path.starts_with("ovl")) pi.stack_depth = 1;
  if (path.starts_with("mnt")) pi.mnt = 1;
  if (path.starts_with("fs")) pi.fs = 1;
  std::string canon;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '/' && (canon.empty() || canon.back() == '/')) continue;
    if (path.compare(i, 2, "./") == 0 && (canon.empty() || canon.back() == '/')) {
      ++i;
      continue;
    }
    canon += path[i];
  }
  while (canon.size() > 1 && canon.back() == '/') canon.pop_back();
  pi.canonical = canon;
  return pi;
}

/// A parse context from one byte: kernel feature level, privilege, fresh upper, module params.
inline ParseContext context_from(std::uint8_t b, std::uint8_t m) {
  static constexpr KernelVersion kLevels[] = {{6, 18}, {6, 5}, {6, 6}, {6, 7}, {6, 12}, {6, 13}, {6, 16}, {5, 15}};
  ParseContext ctx;
  ctx.semantics.kernel = kLevels[b & 7];
  ctx.semantics.data_only_middle = (b & 0x08) != 0;
  ctx.semantics.dslash_redirect = (b & 0x10) != 0;
  ctx.privileged = (b & 0x20) == 0;
  ctx.fresh_upper = (b & 0x40) == 0;
  ctx.upper_user_xattrs = (b & 0x80) == 0;
  ctx.module.redirect_dir = (m & 1) != 0;
  ctx.module.redirect_always_follow = (m & 2) == 0;
  ctx.module.metacopy = (m & 4) != 0;
  ctx.module.index = (m & 8) != 0;
  ctx.module.nfs_export = (m & 16) != 0;
  ctx.module.xino_auto = (m & 32) != 0;
  ctx.file_handles = (m & 64) == 0;
  if (m & 128) ctx.probe = probe_by_name;
  return ctx;
}

/// The invariants every outcome of the option parser keeps.
inline void check_outcome(const MountResult& r, std::string_view input) {
  if (const auto* e = std::get_if<MountError>(&r)) {
    check(e->err > 0, "a refusal carries a positive errno", input);
    check(!e->clause.empty(), "a refusal names a clause", input);
    return;
  }
  const auto& c = std::get<MountConfig>(r);
  check(c.mountinfo.starts_with("ro") || c.mountinfo.starts_with("rw"), "mountinfo starts with ro or rw",
        c.mountinfo);
  check(c.mountinfo.find_first_of(" \t\n") == std::string::npos,
        "mountinfo options hold no raw space, tab or newline (they would split the mountinfo line)", c.mountinfo);
  check(!c.lowers.empty(), "an accepted mount has a lower layer", input);
  check(c.upperdir.has_value() == c.workdir.has_value(), "upperdir and workdir come together", input);
  check(c.upperdir.has_value() || c.read_only, "a mount without upper is read-only", input);
}

}  // namespace ovl::fuzz
