// Building and mounting EROFS images (erofs_image.hpp).
#include "ovl/erofs_image.hpp"

#include <fcntl.h>
#include <linux/loop.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "ovl/errnos.hpp"

extern char** environ;

namespace ovl {
namespace {

bool executable(const std::string& p) { return access(p.c_str(), X_OK) == 0; }

// Runs argv, returns (exit status, combined stdout+stderr).
std::pair<int, std::string> run_program(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw ErofsError(std::string("pipe: ") + errno_name(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw ErofsError("cannot start " + argv[0] + ": " + errno_name(rc));
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) {
      if (out.size() < 65536) out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

// Attaches image to a free loop device (read-only, autoclear) and returns the open device
// descriptor with its path: the device stays attached while the descriptor or a mount holds it.
std::pair<int, std::string> attach_loop(const std::string& image) {
  int ffd = open(image.c_str(), O_RDONLY | O_CLOEXEC);
  if (ffd < 0) throw ErofsError(image + ": " + errno_name(errno));
  int last = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {  // other processes may take the same free device
    int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (ctl < 0) {
      last = errno;
      break;
    }
    int n = ioctl(ctl, LOOP_CTL_GET_FREE);
    last = errno;
    close(ctl);
    if (n < 0) break;
    std::string dev = "/dev/loop" + std::to_string(n);
    int dfd = open(dev.c_str(), O_RDONLY | O_CLOEXEC);
    if (dfd < 0) {
      last = errno;
      continue;
    }
    loop_config cfg{};
    cfg.fd = static_cast<std::uint32_t>(ffd);
    cfg.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
    if (ioctl(dfd, LOOP_CONFIGURE, &cfg) == 0) {
      close(ffd);
      return {dfd, dev};
    }
    last = errno;
    close(dfd);
    if (last != EBUSY) break;
  }
  close(ffd);
  throw ErofsError("no loop device for " + image + ": " + errno_name(last));
}

}  // namespace

std::optional<std::string> mkfs_erofs_path() {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':'))
      if (!dir.empty() && executable(dir + "/mkfs.erofs")) return dir + "/mkfs.erofs";
  }
  for (const char* d : {"/usr/bin", "/usr/sbin", "/bin", "/sbin"})
    if (executable(std::string(d) + "/mkfs.erofs")) return std::string(d) + "/mkfs.erofs";
  return std::nullopt;
}

std::optional<std::string> erofs_unavailable_reason() {
  if (!mkfs_erofs_path()) return "mkfs.erofs not found (install erofs-utils)";
  std::ifstream f("/proc/filesystems");
  std::string line;
  while (std::getline(f, line))
    if (line.size() >= 5 && line.substr(line.size() - 5) == "erofs" &&
        (line.size() == 5 || line[line.size() - 6] == '\t'))
      return std::nullopt;
  return "erofs is not in /proc/filesystems (modprobe erofs)";
}

void build_erofs_image(const std::string& dir, const std::string& image) {
  auto mkfs = mkfs_erofs_path();
  if (!mkfs) throw ErofsError("mkfs.erofs not found (install erofs-utils)");
  auto [rc, out] = run_program({*mkfs, "--quiet", "-T0", image, dir});
  if (rc != 0) throw ErofsError("mkfs.erofs " + image + " " + dir + " exited " + std::to_string(rc) + ": " + out);
}

void mount_erofs(const std::string& image, const std::string& mountpoint) {
  if (mount(image.c_str(), mountpoint.c_str(), "erofs", MS_RDONLY, nullptr) == 0) {
    check_is_erofs(mountpoint);
    return;
  }
  int e = errno;
  // Kernels without file-backed EROFS want a block device.
  if (e != ENOTBLK && e != EINVAL)
    throw ErofsError("mount -t erofs " + image + " " + mountpoint + ": " + errno_name(e));
  // (A file on tmpfs is refused: shmem has no read_folio for file-backed EROFS.)
  auto [dfd, dev] = attach_loop(image);
  int rc = mount(dev.c_str(), mountpoint.c_str(), "erofs", MS_RDONLY, nullptr);
  int e2 = errno;
  close(dfd);  // autoclear: the mount now holds the device; it detaches when the mount dies
  if (rc != 0)
    throw ErofsError("mount -t erofs " + image + " " + mountpoint + ": " + errno_name(e) + "; through " + dev + ": " +
                     errno_name(e2));
  check_is_erofs(mountpoint);
}

void check_is_erofs(const std::string& dir) {
  struct statfs sf {};
  if (statfs(dir.c_str(), &sf) != 0) throw ErofsError("statfs " + dir + ": " + errno_name(errno));
  if (static_cast<unsigned long>(sf.f_type) != kErofsSuperMagic)
    throw ErofsError(dir + " is not an EROFS mount (f_type 0x" + [&] {
      char b[32];
      std::snprintf(b, sizeof b, "%lx", static_cast<unsigned long>(sf.f_type));
      return std::string(b);
    }() + ")");
}

}  // namespace ovl
