// EROFS images of layer directories: building them with mkfs.erofs and mounting them read-only.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>

namespace ovl {

/// mkfs.erofs or the erofs mount failed; the message names the image and the tool's words.
struct ErofsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The mkfs.erofs program (on PATH, else /usr/bin, /sbin …), or nullopt when there is none.
std::optional<std::string> mkfs_erofs_path();
/// Why this machine cannot build and mount EROFS images (no mkfs.erofs, no erofs in
/// /proc/filesystems), or nullopt.
std::optional<std::string> erofs_unavailable_reason();

/// Runs `mkfs.erofs --quiet -T0 image dir` (uncompressed, every xattr kept, fixed timestamps).
/// Throws ErofsError with mkfs.erofs' stderr when it fails.
void build_erofs_image(const std::string& dir, const std::string& image);

/// statfs f_type of an EROFS mount.
inline constexpr unsigned long kErofsSuperMagic = 0xE0F5E1E2;
/// Throws ErofsError unless dir is on an EROFS mount (the target checks every layer it mounted).
void check_is_erofs(const std::string& dir);

/// Mounts image read-only on mountpoint (an existing directory): file-backed first
/// (`mount -t erofs FILE DIR`), a loop device when the kernel refuses a file source.
/// Throws ErofsError naming the image and the errno.
void mount_erofs(const std::string& image, const std::string& mountpoint);

}  // namespace ovl
