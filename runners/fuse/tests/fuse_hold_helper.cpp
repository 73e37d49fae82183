// A runner that is killed mid-case by robustness_kernel_test: it runs one model-fuse case whose
// daemon, once mounted, makes the runner print "READY <daemon pid> <fuse minor> <mountpoint>"
// and wait forever (the case never finishes). The test then SIGKILLs this process.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "ovl/fuse_daemon.hpp"
#include "ovl/fuse_targets.hpp"

int main() {
  if (auto why = ovl::fuse_unavailable_reason()) {
    std::fprintf(stderr, "hold helper: %s\n", why->c_str());
    return 1;
  }
  ovl::Case c;
  c.name = "hold";
  c.options = "lowerdir=A:B";
  auto a = std::make_shared<ovl::Layer>();
  a->put("/f", ovl::Node::file("held"));
  c.layers.emplace_back("A", a);
  c.layers.emplace_back("B", std::make_shared<ovl::Layer>());
  ovl::FuseTargetOptions o;
  o.base.case_timeout_seconds = 3600;
  o.after_mount = [](pid_t daemon) {
    // The only FUSE mount of this (private) namespace is the daemon's.
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(" - fuse ") == std::string::npos && line.find(" - fuse.") == std::string::npos) continue;
      std::istringstream ls(line);
      std::string id, parent, dev, root, mp;
      ls >> id >> parent >> dev >> root >> mp;
      std::printf("READY %d %s %s\n", static_cast<int>(daemon), dev.substr(dev.find(':') + 1).c_str(), mp.c_str());
      std::fflush(stdout);
    }
    for (;;) pause();
  };
  auto t = ovl::make_model_fuse_target(o);
  ovl::TargetOutcome out = t->run(c);
  std::printf("NOT HELD: %s\n", out.reason.c_str());  // only when the case could not start
  return 2;
}
