// The mount option language (R51–R63): legacy mount(2) strings and fsconfig sequences.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovl/config.hpp"
#include "ovl/semantics.hpp"

namespace ovl {

/// What the option checks learn about one layer path (R53, R17): does it resolve, is it a
/// directory, and a canonical identity so that repeated and nested layers can be detected.
struct PathInfo {
  int err = 0;             // 0, or the errno resolving the path gave (ENOENT …)
  bool is_dir = true;
  std::string canonical;   // absolute normalised path ("" = use the path itself)
  std::uint64_t fs = 0;    // filesystem identity (xino is shown only when layers differ, R63)
  std::uint64_t mnt = 0;   // mount identity (upperdir and workdir must share it, R59)
  int stack_depth = 0;     // s_stack_depth of its filesystem: 0, or 1 on an overlay (R6)
  bool has_submounts = false;  // another mount lies below it: unprivileged, it cannot be cloned
};

/// Answers PathInfo for a path as written in the options (relative paths resolve against the
/// mounting process's cwd). The model's in-memory version knows only the case's layer names.
using PathProbe = std::function<PathInfo(const std::string& path)>;

/// Everything option parsing depends on besides the options themselves.
struct ParseContext {
  ModuleParams module;
  Semantics semantics;
  PathProbe probe;          // empty: every path is an existing directory of its own
  bool privileged = true;   // CAP_SYS_ADMIN in the initial user namespace (R59, 6.12+)
  bool fresh_upper = true;  // upper root has no overlay.uuid xattr yet: uuid=auto shows uuid=on (R63)
  bool upper_user_xattrs = true;  // the upper fs stores user.* xattrs (trusted.* needs `privileged`)
  bool file_handles = true;  // the layers' filesystems decode file handles (also needs `privileged`)
};

/// One fsconfig(2) call of a new-API mount.
struct FsconfigCall {
  enum class Kind : std::uint8_t { Flag, String, Fd };
  Kind kind = Kind::String;
  std::string key;
  std::string value;  // String: the value; Fd: the path the descriptor was opened on
};

/// The outcome of an fsconfig sequence, and which call failed: the index into the calls, or
/// calls.size() when FSCONFIG_CMD_CREATE failed; nullopt when the mount was accepted.
struct FsconfigOutcome {
  MountResult result;
  std::optional<std::size_t> failed_call;
};

/// The longest value FSCONFIG_SET_STRING accepts (strndup_user(value, 256) includes the NUL).
inline constexpr std::size_t kFsconfigMaxString = 255;
/// The longest legacy data string: one page, the last byte forced to NUL (R51).
inline constexpr std::size_t kLegacyDataMax = 4095;

/// Parses a legacy mount(2) data string and resolves it as the kernel does.
MountResult parse_mount_options(std::string_view data, const ParseContext& ctx);
/// Runs an fsconfig sequence (then FSCONFIG_CMD_CREATE) and resolves it as the kernel does.
MountResult parse_fsconfig(const std::vector<FsconfigCall>& calls, const ParseContext& ctx);
/// parse_fsconfig, also saying at which call the kernel reports the error.
FsconfigOutcome run_fsconfig(const std::vector<FsconfigCall>& calls, const ParseContext& ctx);
/// Splits a legacy data string at unescaped commas as ovl_next_opt does (backslashes kept),
/// after the one-page truncation; empty options are kept (the VFS skips them).
std::vector<std::string> split_option_string(std::string_view data);
/// Escapes a mount option value as seq_show_option does (comma, space, tab, newline,
/// backslash become \ooo octal).
std::string mountinfo_escape(std::string_view value);
/// The fsconfig sequence equivalent to a legacy string that parse_mount_options accepted
/// (lowerdir+ / datadir+ per layer, upperdir, workdir, then the other options).
std::vector<FsconfigCall> to_fsconfig(const MountConfig& config, std::string_view legacy_data);

}  // namespace ovl
