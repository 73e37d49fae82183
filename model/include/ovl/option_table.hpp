// The one declaration of every overlayfs mount option (R57): the parser, the mountinfo printer,
// the generators, the CLI and the Python enum all read this table and nothing else.
#pragma once
#include <array>
#include <string_view>
#include <vector>

#include "ovl/semantics.hpp"

namespace ovl {

/// How the kernel's fs_parser types a key (fs_parameter_spec).
enum class OptionKind : std::uint8_t {
  Flag,          // fsparam_flag: no value allowed
  FlagNo,        // fsparam_flag_no: a flag that also accepts the "no" prefix
  Enum,          // fsparam_enum: one of `values`
  StringEmpty,   // fsparam_string_empty: any string, "" allowed (lowerdir)
  FileOrString,  // fsparam_file_or_string: a non-empty string or (fsconfig) a file descriptor
};

/// One mount option: key, kind, allowed values, default, field, first release, mountinfo form.
struct OptionSpec {
  std::string_view key;
  OptionKind kind;
  std::string_view values;         // Enum: allowed values, '|'-separated, in the kernel's order
  std::string_view default_value;  // the value without the option ("module:<param>" = module parameter)
  std::string_view field;          // the MountConfig field it sets
  KernelVersion since;             // first mainline release that accepts the key
  std::string_view mountinfo;      // when and how ovl_show_options prints it (R63)
  std::string_view clause;         // the spec clause describing the key
};

/// Every key overlayfs' own parser knows, in the kernel's ovl_parameter_spec order.
inline constexpr std::array<OptionSpec, 17> kOptionTable = {{
    {"lowerdir", OptionKind::StringEmpty, "", "", "lowers", {3, 18},
     "lowerdir=<the string as given> (legacy lowerdir only)", "options.lowerdir"},
    {"lowerdir+", OptionKind::FileOrString, "", "", "lowers", {6, 7},
     "lowerdir+=<path> per regular layer", "options.lowerdir-plus"},
    {"datadir+", OptionKind::FileOrString, "", "", "lowers", {6, 7},
     "datadir+=<path> per data-only layer", "options.lowerdir-plus"},
    {"upperdir", OptionKind::FileOrString, "", "", "upperdir", {3, 18},
     "upperdir=<as given>, only with an upper", "options.upper-unescape"},
    {"workdir", OptionKind::FileOrString, "", "", "workdir", {3, 18},
     "workdir=<as given>, only with an upper", "options.upper-unescape"},
    {"default_permissions", OptionKind::Flag, "", "", "default_permissions", {4, 5},
     "default_permissions when set", "options.keys"},
    {"redirect_dir", OptionKind::Enum, "off|follow|nofollow|on", "module:redirect_dir", "redirect", {4, 10},
     "redirect_dir=<mode> when it differs from the module default", "options.redirect-mode"},
    {"index", OptionKind::Enum, "on|off", "module:index", "index", {4, 13},
     "index=on|off when it differs from the module default", "options.keys"},
    {"uuid", OptionKind::Enum, "off|null|auto|on", "auto", "uuid", {4, 19},
     "uuid=<mode> when it is not auto", "options.keys"},
    {"nfs_export", OptionKind::Enum, "on|off", "module:nfs_export", "nfs_export", {4, 16},
     "nfs_export=on|off when it differs from the module default", "options.keys"},
    {"userxattr", OptionKind::Flag, "", "", "userxattr", {5, 11},
     "userxattr when set", "options.keys"},
    {"xino", OptionKind::Enum, "off|auto|on", "module:xino_auto", "xino", {4, 17},
     "xino=<mode> when it differs from the default and the layers are on several filesystems",
     "options.keys"},
    {"metacopy", OptionKind::Enum, "on|off", "module:metacopy", "metacopy", {4, 19},
     "metacopy=on|off when it differs from the module default", "options.keys"},
    {"verity", OptionKind::Enum, "off|on|require", "off", "verity", {6, 6},
     "verity=<mode> when not off", "options.verity"},
    {"fsync", OptionKind::Enum, "volatile|auto|strict", "auto", "fsync", {6, 18},
     "fsync=<mode> when not auto (6.18.44 has the 7.0 backport)", "options.fsync"},
    {"volatile", OptionKind::Flag, "", "", "fsync", {5, 10},
     "shown as fsync=volatile", "options.fsync"},
    {"override_creds", OptionKind::FlagNo, "", "", "(credentials)", {6, 15},
     "never shown", "options.override-creds"},
}};

/// A superblock flag the VFS accepts for every filesystem before overlay sees the key.
struct SbFlagSpec {
  std::string_view key;
  std::string_view flag;  // SB_RDONLY, …
  bool sets;              // true: sets the flag; false: clears it
};

/// fs_context.c common_set_sb_flag / common_clear_sb_flag (6.18).
inline constexpr std::array<SbFlagSpec, 9> kSbFlagTable = {{
    {"dirsync", "SB_DIRSYNC", true},
    {"lazytime", "SB_LAZYTIME", true},
    {"mand", "SB_MANDLOCK", true},
    {"ro", "SB_RDONLY", true},
    {"sync", "SB_SYNCHRONOUS", true},
    {"async", "SB_SYNCHRONOUS", false},
    {"nolazytime", "SB_LAZYTIME", false},
    {"nomand", "SB_MANDLOCK", false},
    {"rw", "SB_RDONLY", false},
}};

/// The table row for `key`, or nullptr (the "no" prefix is not stripped here).
const OptionSpec* find_option(std::string_view key);
/// The row for a superblock flag key, or nullptr.
const SbFlagSpec* find_sb_flag(std::string_view key);
/// The allowed values of an Enum option, in table order (empty for other kinds).
std::vector<std::string_view> option_values(const OptionSpec& spec);

}  // namespace ovl
