// The kernel tests' view of the host mount namespace: kernel_main.cpp forks a sleeping
// "witness" before entering the sandbox; its /proc/PID/mountinfo is the host's mount table.
#pragma once
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ovl::test {

/// The host namespace's /proc/PID/mountinfo text; throws if it cannot be read (a test that
/// cannot see the host must not pass by default).
inline std::string host_mountinfo() {
  const char* pid = std::getenv("OVL_HOST_WITNESS_PID");
  if (!pid) throw std::runtime_error("no host witness (OVL_HOST_WITNESS_PID unset)");
  std::ifstream in(std::string("/proc/") + pid + "/mountinfo");
  std::stringstream ss;
  ss << in.rdbuf();
  if (ss.str().empty()) throw std::runtime_error(std::string("cannot read /proc/") + pid + "/mountinfo");
  return ss.str();
}

}  // namespace ovl::test
