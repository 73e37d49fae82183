// The result of parsing mount options: a MountConfig, or the MountError the kernel would give.
#pragma once
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ovl/stack.hpp"

namespace ovl {

/// redirect_dir after resolution ("off" is only an input alias, R32).
enum class RedirectMode : std::uint8_t { On, Follow, NoFollow };
/// verity=
enum class Verity : std::uint8_t { Off, On, Require };
/// xino=
enum class Xino : std::uint8_t { Off, On, Auto };
/// uuid=
enum class Uuid : std::uint8_t { Off, On, Null, Auto };
/// fsync= (volatile is an alias for fsync=volatile, R61)
enum class Fsync : std::uint8_t { Volatile, Auto, Strict };

/// /sys/module/overlay/parameters: the defaults a mount starts from.
struct ModuleParams {
  bool redirect_dir = false;
  bool redirect_always_follow = true;
  bool metacopy = false;
  bool index = false;
  bool nfs_export = false;
  bool xino_auto = false;
  int redirect_max = 256;
};

/// One lower layer of a mount: its path as the kernel resolves it (unescaped), and its role.
struct LayerRef {
  std::string path;
  Role role = Role::Lower;
};

/// A mount the kernel would accept: its layers and its effective options.
struct MountConfig {
  std::vector<LayerRef> lowers;  // regular lowers top to bottom, then data-only (in order)
  std::optional<std::string> upperdir;
  std::optional<std::string> workdir;
  RedirectMode redirect = RedirectMode::Follow;
  bool metacopy = false;
  bool userxattr = false;
  Verity verity = Verity::Off;
  bool index = false;
  bool nfs_export = false;
  Xino xino = Xino::Off;
  Uuid uuid = Uuid::Auto;
  Fsync fsync = Fsync::Auto;
  bool default_permissions = false;
  bool read_only = true;  // no upper (R4)
  /// The options /proc/self/mountinfo shows for this mount (R63), already escaped.
  std::string mountinfo;

  /// The xattr prefix overlay interprets: "trusted.overlay." or "user.overlay." (R19, R47).
  std::string xattr_prefix() const { return userxattr ? "user.overlay." : "trusted.overlay."; }
};

/// A mount the kernel would refuse: errno (e.g. EINVAL), the clause, and the kernel's message.
struct MountError {
  int err = 0;
  std::string clause;
  std::string message;
  /// The message is an invalf() one: it goes to the fs_context log (new API) and to dmesg as
  /// "overlay: <message>" (old API); otherwise it is a pr_err, dmesg only, "overlayfs: <message>".
  bool in_fc_log = false;
};

/// Either outcome of option parsing.
using MountResult = std::variant<MountConfig, MountError>;

}  // namespace ovl
