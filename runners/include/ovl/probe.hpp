// The prober: walks a mounted tree with plain syscalls and records what it shows as an
// Observation (observation.hpp), the same walk as Model::observe() (model.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ovl/node.hpp"
#include "ovl/observation.hpp"

namespace ovl {

/// What the prober walks besides the readdir tree.
struct ProbeOptions {
  /// Absolute paths ("/d/x") that may exist in the mount although readdir does not list them
  /// (usually every path of the upper and regular lower layers, see candidate_paths()). For each
  /// directory the walk visits, the candidate children it does not list are lstat'ed; those
  /// that do not give ENOENT are recorded (and walked) like listed ones.
  std::vector<std::string> candidates;
  /// More entries than this (0 = no limit) is a harness error: probe() throws std::length_error.
  std::size_t max_entries = 1'000'000;
};

/// Walks the tree under mountpoint: lstat every path, readdir directories (without . and ..),
/// readlink symlinks, open+read regular files (sha256 of the bytes), llistxattr keeping names
/// that contain ".overlay.". Never follows symlinks and never opens devices, fifos or sockets.
/// Every failure is recorded by its errno name, never thrown. The mount status is "ok"; callers
/// that mounted fill it in. Entries are sorted (normalize()).
Observation probe(const std::string& mountpoint, const ProbeOptions& opts = {});

/// Every path ("/a", "/a/b", …) of the given layers, sorted and unique; the root excluded.
std::vector<std::string> candidate_paths(const std::vector<const Layer*>& layers);

}  // namespace ovl
