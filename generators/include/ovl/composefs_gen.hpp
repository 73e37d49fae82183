// Composefs-layout cases: metadata images of metacopy files over a content-addressed object
// store, as composefs lays them out (spec section 11), for the erofs target and check-image.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "ovl/gen_case.hpp"

namespace ovl::gen {

/// Tunables of composefs_case().
struct ComposefsParams {
  int images = 1;              // regular lowers, each one metadata image ("I1" top … "In")
  int max_files = 6;           // metacopy files per image (1..max_files)
  int max_depth = 3;           // path components of a file
  bool fanout_whiteouts = true;  // 256 chardev 0/0 whiteouts "00".."ff" at each image root
  bool opaque_root = true;     // <prefix>opaque=y on each image root (ignored by R2, as in composefs)
  bool userxattr = false;      // user.overlay.* instead of trusted.overlay.*
  /// Images below the top hold entries at object paths (a copy of the object, or a directory
  /// "/xx" without it), and no fan-out whiteout for those names: capture (R38) and reset (R39).
  bool collide = false;
  bool metacopy_option = true;   // metacopy=on (6.5–6.15 need it; 6.16+ not)
  bool redirect_on = true;       // redirect_dir=on (else nofollow)
};

/// The object path of content: "/" + first 2 hex digits of its sha256 + "/" + the other 62.
std::string object_path(std::string_view content);
/// The composefs metacopy xattr value for content: a 4-byte header (version 0, length 36,
/// flags 0, digest algorithm 1 = sha256) and the 32-byte sha256 of the content. With verity=off
/// the kernel checks only the format, not the digest.
std::string metacopy_value(std::string_view content);
/// The 256 fan-out whiteout names "00" … "ff".
std::vector<std::string> fanout_names();

/// One composefs-layout case, deterministic by seed: images "I1".."In" (top first), each a tree
/// of metacopy files with absolute redirects to objects in the data-only layer "O", whose
/// objects are stored at object_path(). With collide, lower images capture or reset some
/// redirects of the images above.
GenCase composefs_case(std::uint64_t seed, const ComposefsParams& p = {});

}  // namespace ovl::gen
