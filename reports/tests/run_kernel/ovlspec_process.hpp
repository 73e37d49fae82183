// Starting, waiting for and counting `ovlspec` processes in the run-kernel tests (the resume
// tests kill them at random moments).
#pragma once
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
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

/// The parent pid of a process (0 when it is gone).
inline pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return 0;
  std::istringstream rest(stat.substr(close + 1));
  char state = 0;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

/// Processes running the ovlspec binary that descend from this test (a leak after the kills);
/// call become_subreaper() first, so that the orphans of a killed ovlspec stay descendants.
/// ovlspec processes of tests running in parallel are not counted.
inline int ovlspec_processes() {
  const pid_t me = getpid();
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator("/proc")) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink(e.path() / "exe", ec);
    if (ec || exe != std::filesystem::path(OVLSPEC_BIN)) continue;
    pid_t p = static_cast<pid_t>(std::atoi(e.path().filename().c_str()));
    for (int depth = 0; p > 1 && depth < 64; ++depth) {
      p = parent_of(p);
      if (p == me) {
        ++n;
        break;
      }
    }
  }
  return n;
}

/// Call first in a test that checks ovlspec_processes(): orphans of killed children stay ours.
inline void become_subreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1); }

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
