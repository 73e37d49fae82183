// Generated cases: a shrinkable description of a Case (layers of entries, structured options),
// the seeded generator behind `ovlspec run --generated N` and `ovlspec fuzz`.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/stack.hpp"

namespace ovl::gen {

/// One object of a generated layer. Missing parents are created as plain 0755 directories.
struct GenEntry {
  std::string path;                           // absolute, "/" for the layer root (dir only)
  NodeType type = NodeType::Reg;
  std::string data;                           // reg: bytes; lnk: target
  std::uint64_t size = 0;                     // reg: st_size (>= data.size(); larger = sparse)
  std::uint32_t rdev_major = 0, rdev_minor = 0;  // chr, blk
  std::map<std::string, std::string> xattrs;  // full name -> raw value
  bool operator==(const GenEntry&) const = default;
};

/// One generated layer: its name as written in the options, its role, its entries.
struct GenLayer {
  std::string name;  // "U", "L1", "D1" …
  Role role = Role::Lower;
  std::vector<GenEntry> entries;
  bool operator==(const GenLayer&) const = default;
};

/// The mount options of a generated case, one field per option (unset = not given).
struct GenOptions {
  std::optional<std::string> redirect_dir;  // on, off, follow, nofollow
  std::optional<std::string> metacopy;      // on, off
  bool userxattr = false;
  std::optional<std::string> verity;        // off, on, require
  bool operator==(const GenOptions&) const = default;
};

/// A generated case: layers top first (upper, regular lowers, data-only), the options, and the
/// seed it came from (for replay). `to_case` turns it into a Case any target can run.
struct GenCase {
  std::uint64_t seed = 0;
  std::vector<GenLayer> layers;
  GenOptions options;
  bool operator==(const GenCase&) const = default;

  bool has_upper() const { return !layers.empty() && layers.front().role == Role::Upper; }
  std::size_t count(Role r) const;
  /// The xattr prefix the mount interprets: "user.overlay." under userxattr, else "trusted.overlay.".
  std::string prefix() const { return options.userxattr ? "user.overlay." : "trusted.overlay."; }
  /// Number of entries over all layers, and of xattrs over all entries.
  std::size_t entry_count() const;
  std::size_t xattr_count() const;
};

/// The workdir a case with an upper names in its options; to_case declares it as an empty layer.
inline constexpr const char* kWorkLayer = "W";

/// Tunables of the generator; the defaults are what `ovlspec fuzz` uses.
struct GenParams {
  int max_lowers = 6;         // 1..max_lowers regular lowers
  int max_data = 3;           // 0..max_data data-only layers
  int max_entries = 7;        // per layer
  int max_depth = 3;          // path components
  bool allow_refused_options = true;  // a few option sets the kernel refuses (exercise mount errors)
  /// Restrictions for properties (see properties in tests/):
  bool force_no_userxattr = false;    // never userxattr
  bool force_nofollow_nometacopy = false;  // redirect_dir=nofollow,metacopy=off, no verity
  bool data_layers = true;    // may generate data-only layers
  bool upper = true;          // may generate an upper
  /// Consecutive cases of generate_cases that share one shape (upper or not, layer counts,
  /// options), so that they can share a mount (batch.hpp). 1 = every case draws its own.
  int shape_run = 1;
};

/// The option string of a generated case (legacy mount(2) syntax).
std::string option_string(const GenCase& g);

/// Builds the Case: one layer tree per GenLayer (plus the empty workdir after the upper), and the
/// option string.
/// Total: entries that cannot be placed (a parent that is not a directory, a non-dir root) are
/// dropped, so every GenCase — shrunk or not — gives a valid Case.
Case to_case(const GenCase& g, const std::string& name = "");

/// One case, deterministic by seed.
GenCase generate_case(std::uint64_t seed, const GenParams& params = {});
/// Case `index` of generate_cases(seed, …, params), computed alone (for replay).
GenCase generate_case_at(std::uint64_t seed, std::uint64_t index, const GenParams& params = {});
/// `count` cases from one seed, deterministic by seed: case i is generate_case_at(seed, i); with
/// shape_run 1 that is generate_case(case_seed(seed, i)).
std::vector<GenCase> generate_cases(std::uint64_t seed, std::size_t count, const GenParams& params = {});
/// The per-case seed generate_cases uses for case i.
std::uint64_t case_seed(std::uint64_t seed, std::uint64_t index);

/// A short human-readable dump (layers, entries, xattrs, options), for test failure messages.
std::string describe(const GenCase& g);

}  // namespace ovl::gen
