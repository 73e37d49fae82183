// Standalone shell reproducers: a script that rebuilds a case's layers, mounts them and shows
// what the kernel does next to what the spec says. Used by `check`, the fuzzer and the reports.
#pragma once
#include <string>
#include <vector>

#include "ovl/case.hpp"
#include "ovl/observation.hpp"

namespace ovl {

/// Choices for the generated script.
struct ReproducerOptions {
  /// Re-execute the script under `unshare -m --propagation private` so the mount is private.
  bool private_namespace = true;
};

/// The mount(8) option string for a case: its legacy options, or its fsconfig sequence
/// written as key=value options (lowerdir+=…, which mount(2) accepts too), commas escaped.
std::string reproducer_mount_options(const Case& c);

/// A POSIX sh script (run as root) that rebuilds every layer of c in a fresh `mktemp -d`
/// (mkdir, printf, truncate, ln -s, mknod, setfattr, chown, chmod), mounts them with
/// mount -t overlay, and for each divergence prints the spec's value (with its clauses) and
/// the kernel's (stat, sha256sum, readlink, ls, getfattr), then unmounts and removes
/// everything. With no divergences it prints the whole listing.
std::string write_reproducer(const Case& c, const std::vector<Divergence>& divergences,
                             const ReproducerOptions& opts = {});

/// Quotes s for sh: 'it'\''s'.
std::string shell_quote(const std::string& s);

}  // namespace ovl
