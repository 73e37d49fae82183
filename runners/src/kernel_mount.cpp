// Real overlay mounts through both kernel APIs (kernel_mount.hpp).
#include "ovl/kernel_mount.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "unique_fd.hpp"

// <sys/mount.h> and <linux/mount.h> clash; declare what we need from the former by hand.
extern "C" int mount(const char*, const char*, const char*, unsigned long, const void*) noexcept;
extern "C" int umount2(const char*, int) noexcept;
#ifndef MNT_DETACH
#define MNT_DETACH 2
#endif

namespace ovl {
namespace {
using detail::UniqueFd;

const std::vector<std::string> kOverlayPrefixes = {"overlay: ", "overlayfs: "};

std::string strip_prefix(const std::string& line) {
  for (const auto& p : kOverlayPrefixes)
    if (line.compare(0, p.size(), p) == 0) return line.substr(p.size());
  return line;
}

void append_line(std::string& to, const std::string& line) {
  if (!to.empty()) to += '\n';
  to += line;
}

// Drains the fs_context log of an fsopen descriptor: "e overlay: …", "w …", "i …" lines.
void drain_fs_log(int fd, MountAttempt& a) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // ENODATA: the log is empty
    std::string line(buf, static_cast<std::size_t>(n));
    while (!line.empty() && line.back() == '\n') line.pop_back();
    append_line(a.log, line);
    if (line.size() > 2 && line[0] == 'e' && line[1] == ' ') append_line(a.message, strip_prefix(line.substr(2)));
  }
}

int sys_fsopen(const char* fs, unsigned flags) { return static_cast<int>(syscall(SYS_fsopen, fs, flags)); }
int sys_fsconfig(int fd, unsigned cmd, const char* key, const void* value, int aux) {
  return static_cast<int>(syscall(SYS_fsconfig, fd, cmd, key, value, aux));
}
int sys_fsmount(int fd, unsigned flags, unsigned attrs) { return static_cast<int>(syscall(SYS_fsmount, fd, flags, attrs)); }
int sys_move_mount(int from_fd, const char* from, int to_fd, const char* to, unsigned flags) {
  return static_cast<int>(syscall(SYS_move_mount, from_fd, from, to_fd, to, flags));
}

}  // namespace

MountAttempt mount_legacy(std::string_view options, const std::string& mountpoint) {
  MountAttempt a;
  KmsgTail kmsg;
  std::string data(options);
  int rc = mount("overlay", mountpoint.c_str(), "overlay", 0, data.c_str());
  int err = errno;
  auto lines = kmsg.read_new(kOverlayPrefixes);
  for (const auto& l : lines) append_line(a.log, l);
  if (rc == 0) {
    a.ok = true;
    return a;
  }
  a.err = err;
  a.failed_call = "mount";
  // The refusal is the last overlay line; info lines before it belong to the same attempt.
  for (const auto& l : lines) append_line(a.message, strip_prefix(l));
  return a;
}

MountAttempt mount_fsconfig(const std::vector<FsconfigCall>& calls, const std::string& mountpoint) {
  MountAttempt a;
  KmsgTail kmsg;  // overlay's pr_err() messages (not invalfc()) go to dmesg even with the new API
  UniqueFd fs(sys_fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs.ok()) {
    a.err = errno;
    a.failed_call = "fsopen";
    return a;
  }
  auto failed = [&](const std::string& call) {
    a.err = errno;
    a.failed_call = call;
    drain_fs_log(fs.get(), a);
    for (const auto& l : kmsg.read_new(kOverlayPrefixes)) {
      append_line(a.log, l);
      if (a.message.empty()) a.message = strip_prefix(l);
    }
    return a;
  };
  for (const auto& c : calls) {
    int rc = 0;
    switch (c.kind) {
      case FsconfigCall::Kind::Flag:
        rc = sys_fsconfig(fs.get(), FSCONFIG_SET_FLAG, c.key.c_str(), nullptr, 0);
        break;
      case FsconfigCall::Kind::String:
        rc = sys_fsconfig(fs.get(), FSCONFIG_SET_STRING, c.key.c_str(), c.value.c_str(), 0);
        break;
      case FsconfigCall::Kind::Fd: {
        UniqueFd dir(open(c.value.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir.ok()) return failed("open " + c.value + " for fsconfig " + c.key);
        rc = sys_fsconfig(fs.get(), FSCONFIG_SET_FD, c.key.c_str(), nullptr, dir.get());
        break;
      }
    }
    if (rc != 0) return failed("fsconfig " + c.key);
  }
  if (sys_fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) return failed("FSCONFIG_CMD_CREATE");
  UniqueFd mnt(sys_fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  if (!mnt.ok()) return failed("fsmount");
  if (sys_move_mount(mnt.get(), "", AT_FDCWD, mountpoint.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return failed("move_mount");
  drain_fs_log(fs.get(), a);
  a.ok = true;
  return a;
}

int detach(const std::string& mountpoint) { return umount2(mountpoint.c_str(), MNT_DETACH) == 0 ? 0 : errno; }

int unmount(const std::string& mountpoint) {
  if (umount2(mountpoint.c_str(), 0) == 0) return 0;
  if (errno != EBUSY) return errno;
  if (umount2(mountpoint.c_str(), MNT_DETACH) == 0) return 0;
  return errno;
}

}  // namespace ovl
