// The materializer: in-memory layers (node.hpp) written to real directories on the scratch.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/node.hpp"

namespace ovl {

/// A layer could not be written; the message names the path and what went wrong.
struct MaterializeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Throws MaterializeError unless name is one safe directory entry name: not empty, not "." or
/// "..", no '/' and no NUL. `where` names the place for the message ("layer A: /d").
void check_entry_name(std::string_view name, std::string_view where);
/// Throws MaterializeError unless rel is a relative path ("A", "l/A") of safe names.
void check_relative_path(std::string_view rel, std::string_view what);

/// Writes layer beneath base (an existing directory) at the relative path rel_dir, which is
/// created (parents too) with O_NOFOLLOW|O_DIRECTORY per component: every write stays beneath
/// base. Directories, regular files (data, then a sparse tail up to size), symlinks, devices,
/// fifos and sockets; uid/gid; every xattr by its full name; modes last (a read-only directory
/// is filled before it is made read-only).
void materialize_layer(const Layer& layer, const std::string& base, std::string_view rel_dir);

/// A case laid out on disk: `<base>/layers/<name>` per layer, the workdir beside them, and an
/// empty mountpoint `<base>/mnt`. Mounts are made from `layers_dir` so names resolve as written.
struct MaterializedCase {
  std::string base;
  std::string layers_dir;
  std::string mountpoint;
  std::vector<std::pair<std::string, std::string>> layer_dirs;  // layer name -> absolute dir
};

/// Writes every layer of c, and the workdir its options name when they name an upper.
MaterializedCase materialize_case(const Case& c, const std::string& base);

}  // namespace ovl
