// A light reading of mount options: which layer paths they name, in which role. Not the
// model's parser (options.hpp): just enough for the runners to lay out, mount and probe a case.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovl/options.hpp"

namespace ovl {

/// The paths an option string or fsconfig sequence names, by role, unescaped as the kernel
/// resolves them. Relative paths stay relative (to the directory the mount is made from).
struct OptionLayout {
  std::vector<std::string> lowers;  // regular lowers, top to bottom
  std::vector<std::string> data;    // data-only lowers, in search order
  std::optional<std::string> upper;
  std::optional<std::string> work;
  bool has_lowerdir_plus = false;   // lowerdir+/datadir+ was used
};

/// Splits a legacy mount(2) string at unescaped commas; the backslashes stay in the parts.
std::vector<std::string> split_legacy_options(std::string_view data);
/// Removes one level of backslash escapes ("\:" -> ":"; a trailing lone "\" is dropped).
std::string unescape_option(std::string_view s);
/// The layout a legacy option string names (the last lowerdir= wins; lowerdir+ appends).
OptionLayout layout_of_options(std::string_view data);
/// The layout an fsconfig sequence names (String and Fd calls).
OptionLayout layout_of_calls(const std::vector<FsconfigCall>& calls);
/// A local legacy → fsconfig translation used by the kernel-fsconfig target: one lowerdir+ per
/// regular layer, one datadir+ per data-only layer, then the other keys in order (flags as
/// Flag calls). A lowerdir value this light splitter cannot split is passed as the string
/// "lowerdir" unchanged, so the kernel gives its own error.
std::vector<FsconfigCall> fsconfig_from_legacy(std::string_view data);

}  // namespace ovl
