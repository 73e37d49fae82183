// Which rules apply: a kernel feature level, and the proposals no kernel implements yet.
#pragma once
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace ovl {

/// A kernel release, major.minor, compared in release order.
struct KernelVersion {
  int major = 6;
  int minor = 18;
  auto operator<=>(const KernelVersion&) const = default;
  /// "6.18"
  std::string str() const;
  /// Parses "6.18" or "6.18.44-fc" (the rest after minor is ignored); nullopt if not a version.
  static std::optional<KernelVersion> parse(std::string_view text);
};

/// The rule set the model runs: a kernel at a feature level, optionally with proposals switched on.
struct Semantics {
  KernelVersion kernel{6, 18};
  bool data_only_middle = false;  // spec/proposals/data-only-middle.md
  bool dslash_redirect = false;   // spec/proposals/dslash-redirect.md
  /// Every layer of the mount is on one filesystem (xino is off here): only then does readdir
  /// look the entries of an impure upper directory up ([readdir.impure], readdir.c:ovl_same_fs).
  /// A property of where the layers live, not a rule set: Semantics::name() leaves it out.
  bool one_filesystem = true;

  // Feature predicates (the release that introduced each is cited in spec/overlay-lookup.md).
  bool has_data_only_layers() const { return kernel >= KernelVersion{6, 5}; }
  bool has_escaped_xattrs() const { return kernel >= KernelVersion{6, 7}; }
  bool has_xattr_whiteouts() const { return kernel >= KernelVersion{6, 7}; }
  bool has_lowerdir_plus() const { return kernel >= KernelVersion{6, 7}; }
  bool has_fd_layers() const { return kernel >= KernelVersion{6, 13}; }
  bool has_unified_follow_check() const { return kernel >= KernelVersion{6, 16}; }
  bool has_data_redirect_without_metacopy() const { return kernel >= KernelVersion{6, 16}; }

  /// "kernel-6.18", "kernel-6.18+data-only-middle", …
  std::string name() const;
  /// Parses a --semantics value: "kernel", "data-only-middle", "dslash-redirect", or a
  /// comma-separated combination; the kernel level is set separately. nullopt if unknown.
  static std::optional<Semantics> parse(std::string_view text, KernelVersion level);
};

}  // namespace ovl
