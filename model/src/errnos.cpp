#include "ovl/errnos.hpp"

#include <cerrno>
#include <charconv>
#include <utility>

namespace ovl {
namespace {
// The errnos overlay and the prober can meet. Values are Linux's (the model never calls the OS).
constexpr std::pair<int, const char*> kErrnos[] = {
    {EPERM, "EPERM"},     {ENOENT, "ENOENT"},   {EIO, "EIO"},         {E2BIG, "E2BIG"},
    {EBADF, "EBADF"},     {EAGAIN, "EAGAIN"},   {ENOMEM, "ENOMEM"},   {EACCES, "EACCES"},
    {EFAULT, "EFAULT"},   {EBUSY, "EBUSY"},     {EEXIST, "EEXIST"},   {EXDEV, "EXDEV"},
    {ENODEV, "ENODEV"},   {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"},   {EINVAL, "EINVAL"},
    {ENFILE, "ENFILE"},   {EMFILE, "EMFILE"},   {EFBIG, "EFBIG"},     {ENOSPC, "ENOSPC"},
    {EROFS, "EROFS"},     {EMLINK, "EMLINK"},   {ERANGE, "ERANGE"},   {ENAMETOOLONG, "ENAMETOOLONG"},
    {ENOSYS, "ENOSYS"},   {ENOTEMPTY, "ENOTEMPTY"}, {ELOOP, "ELOOP"}, {ENODATA, "ENODATA"},
    {EOVERFLOW, "EOVERFLOW"}, {EOPNOTSUPP, "EOPNOTSUPP"}, {ENOTCONN, "ENOTCONN"},
    {ETIMEDOUT, "ETIMEDOUT"}, {ESTALE, "ESTALE"}, {EREMOTE, "EREMOTE"}, {ENXIO, "ENXIO"},
    {ECONNABORTED, "ECONNABORTED"}, {EINTR, "EINTR"}, {ESRCH, "ESRCH"}, {ENOTBLK, "ENOTBLK"},
};
}  // namespace

std::string errno_name(int err) {
  for (const auto& [v, n] : kErrnos)
    if (v == err) return n;
  return "E" + std::to_string(err);
}

std::optional<int> errno_from_name(std::string_view name) {
  for (const auto& [v, n] : kErrnos)
    if (name == n) return v;
  if (name.size() > 1 && name[0] == 'E') {
    int v = 0;
    auto [p, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), v);
    if (ec == std::errc() && p == name.data() + name.size() && v > 0) return v;
  }
  return std::nullopt;
}

}  // namespace ovl
