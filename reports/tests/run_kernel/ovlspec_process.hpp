// Starting, waiting for and counting `ovlspec` processes in the run-kernel tests (the resume
// tests kill them at random moments).
#pragma once
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace ovl::test {

/// Starts OVLSPEC_BIN with these arguments, stdout and stderr to /dev/null.
inline pid_t start_ovlspec(std::vector<std::string> args) {
  args.insert(args.begin(), OVLSPEC_BIN);
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

/// The exit code, or minus the signal that ended it.
inline int wait_exit(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

/// Processes running the ovlspec binary (a leak after the kills).
inline int ovlspec_processes() {
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator("/proc")) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink(e.path() / "exe", ec);
    if (!ec && exe == std::filesystem::path(OVLSPEC_BIN)) ++n;
  }
  return n;
}

/// Lines of /proc/self/mounts that name an ovlspec scratch (a leaked mount).
inline std::vector<std::string> ovlspec_mounts() {
  std::vector<std::string> out;
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  while (std::getline(mounts, line))
    if (line.find("ovlspec") != std::string::npos) out.push_back(line);
  return out;
}

}  // namespace ovl::test
