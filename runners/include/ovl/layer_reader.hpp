// The layer reader: a real layer directory on disk read back into a Layer (node.hpp).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "ovl/node.hpp"

namespace ovl {

/// A layer directory could not be represented; the message names the path and the reason.
struct LayerReadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Limits of the layer reader.
struct ReadLayerOptions {
  std::uint64_t max_file_bytes = 64ull << 20;  // a larger regular file is refused
  std::size_t max_entries = 1'000'000;         // a larger tree is refused
};

/// Reads the tree under dir: for each object its type, mode, uid, gid, size, data (all bytes
/// of regular files), symlink target, rdev, and every xattr of every namespace (values are
/// binary-safe; trailing zero bytes of a file are kept implicit, as the sparse tail up to size).
/// Symlinks are never followed and nothing outside dir is read. Hard links are
/// read as independent files (link identity is not represented). Anything unreadable is a
/// LayerReadError naming the path.
Layer read_layer(const std::string& dir, const ReadLayerOptions& opts = {});

}  // namespace ovl
