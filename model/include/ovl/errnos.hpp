// Errno values by name, so that observations and reports speak "EPERM", not 1.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ovl {

/// "EPERM" for EPERM; "E<number>" for an errno without a known name.
std::string errno_name(int err);
/// The errno for "EPERM"…, or nullopt.
std::optional<int> errno_from_name(std::string_view name);

}  // namespace ovl
