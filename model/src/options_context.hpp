// Private to the option parser: a model of the kernel's overlay fs_context (params.c) that
// both mount APIs drive, one parameter at a time, then create (super.c:ovl_fill_super).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ovl/config.hpp"
#include "ovl/option_table.hpp"
#include "ovl/options.hpp"

namespace ovl::detail {

/// How a parameter reaches vfs_parse_fs_param: a bare flag, a string, or a file descriptor.
enum class ParamType : std::uint8_t { Flag, String, File };

/// One parameter as the VFS hands it to the filesystem.
struct Param {
  ParamType type = ParamType::String;
  std::string key;
  std::string value;  // String: the value; File: the path the descriptor was opened on
};

/// One layer recorded in the context: the name shown in mountinfo, the path looked up.
struct CtxLayer {
  std::string name;    // as recorded by the kernel (user string, or d_path for a descriptor)
  std::string lookup;  // the path resolved (unescaped where the kernel unescapes)
  PathInfo info;
  Role role = Role::Lower;
};

/// The overlay fs_context: parameters applied so far, and the mount they describe.
class FsContext {
 public:
  FsContext(const ParseContext& pc, bool legacy);
  /// vfs_parse_fs_param: sb flags, overlay's parser, "source", else unknown.
  std::optional<MountError> set_param(const Param& p);
  /// get_tree: ovl_fs_params_verify, then ovl_fill_super's checks; the mountinfo line.
  MountResult create();

 private:
  std::optional<MountError> parse_overlay(const Param& p, const OptionSpec& spec, bool negated);
  std::optional<MountError> parse_lowerdir(const std::string& value);
  std::optional<MountError> parse_layer(const Param& p, std::string_view key);
  std::optional<MountError> resolve(std::string_view key, const std::string& name,
                                    const std::string& lookup, bool noesc, CtxLayer& out);
  std::optional<MountError> check_dir(std::string_view key, const CtxLayer& l);
  std::optional<MountError> verify();
  std::optional<MountError> check_layers();
  std::string render_mountinfo(const MountConfig& c) const;

  const ParseContext& pc_;
  bool legacy_;
  // params.c state
  std::vector<CtxLayer> lowers_;
  std::size_t nr_data_ = 0;
  std::optional<std::string> lowerdir_all_;
  std::optional<CtxLayer> upper_, work_;
  bool source_set_ = false;
  // ovl_config
  RedirectMode redirect_;
  bool metacopy_, index_, nfs_export_;
  Xino xino_;
  Uuid uuid_ = Uuid::Auto;
  Verity verity_ = Verity::Off;
  Fsync fsync_ = Fsync::Auto;
  bool userxattr_ = false, default_permissions_ = false;
  // ctx->set
  bool set_redirect_ = false, set_index_ = false, set_nfs_export_ = false, set_metacopy_ = false;
  // superblock flags
  bool sb_ro_ = false, sb_sync_ = false, sb_dirsync_ = false, sb_lazytime_ = false, sb_mand_ = false;
};

/// A refusal with its errno, clause and message.
MountError refuse(int err, std::string_view clause, std::string message, bool fc_log);
/// "A\\:b" → "A:b": drop each backslash, keep the next character (ovl_unescape).
std::string unescape(std::string_view s);

}  // namespace ovl::detail
