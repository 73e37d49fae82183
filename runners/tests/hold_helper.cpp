// Test helper for the kill test: enters the sandbox, materializes a small case, mounts it
// (in this process, or with --child in an isolated child), prints "mounted <mountpoint>" and
// waits to be killed. Exit 3 when it cannot run here.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "ovl/kernel_mount.hpp"
#include "ovl/materialize.hpp"
#include "ovl/sandbox.hpp"

int main(int argc, char** argv) {
  bool child = argc > 1 && std::strcmp(argv[1], "--child") == 0;
  try {
    if (auto why = ovl::overlay_unavailable_reason()) {
      std::fprintf(stderr, "cannot run here: %s\n", why->c_str());
      return 3;
    }
    ovl::Sandbox& sb = ovl::Sandbox::enter();
    ovl::Case c;
    c.name = "hold";
    c.options = "lowerdir=A:B";
    auto a = std::make_shared<ovl::Layer>();
    a->put("/f", ovl::Node::file("held"));
    auto b = std::make_shared<ovl::Layer>();
    b->put("/g", ovl::Node::file("below"));
    c.layers = {{"A", a}, {"B", b}};
    ovl::MaterializedCase m = ovl::materialize_case(c, sb.make_dir("hold"));
    auto hold = [&]() -> std::string {
      if (chdir(m.layers_dir.c_str()) != 0) return "chdir failed";
      ovl::MountAttempt at = ovl::mount_legacy(c.options, m.mountpoint);
      if (!at.ok) return "mount failed: " + at.message;
      std::printf("mounted %s %s\n", m.mountpoint.c_str(), sb.scratch().c_str());
      std::fflush(stdout);
      for (;;) pause();
    };
    if (child) {
      ovl::ChildResult r = ovl::run_isolated(hold, 3600);
      std::fprintf(stderr, "child ended: %s\n", r.error.c_str());
      return 1;
    }
    std::string why = hold();
    std::fprintf(stderr, "%s\n", why.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hold helper: %s\n", e.what());
    return 1;
  }
}
