// The cost of one kernel-target cycle (materialize + mount + probe + unmount + remove) for a
// small stack (3 layers, 20 entries), next to a minimal hand-written loop of the same syscalls.
// Counters: runner_us (in-process cycle through the runners library), isolated_us (the same in
// an isolated child, as cases really run), bare_us (the hand-written loop), and the ratios
// runner_us/bare_us (goal <= 1.5) and isolated_us/bare_us.
#include <benchmark/benchmark.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ovl/kernel_target.hpp"
#include "ovl/sandbox.hpp"

namespace {
using namespace ovl;

// 3 layers, 20 entries: dirs, files, an opaque dir, a whiteout, a symlink.
Case small_stack() {
  Case c;
  c.name = "bench";
  c.options = "lowerdir=A:B:C";
  auto a = std::make_shared<Layer>(), b = std::make_shared<Layer>(), cc = std::make_shared<Layer>();
  a->put("/d/a1", Node::file("a1"));
  a->put("/d/a2", Node::file("a2"));
  a->put("/wh", Node::chardev(0, 0));
  a->put("/lnk", Node::symlink("d/a1"));
  Node op = Node::dir();
  op.xattrs["trusted.overlay.opaque"] = "y";
  a->put("/op", op);
  a->put("/op/x", Node::file("x"));
  b->put("/d/b1", Node::file("b1"));
  b->put("/d/b2", Node::file("b2"));
  b->put("/wh", Node::file("hidden"));
  b->put("/op/y", Node::file("y"));
  b->put("/e/f", Node::file("f"));
  b->put("/e/g", Node::file("g"));
  cc->put("/d/c1", Node::file("c1"));
  cc->put("/d/c2", Node::file("c2"));
  cc->put("/e/h", Node::file("h"));
  cc->put("/top", Node::file("top"));
  c.layers = {{"A", a}, {"B", b}, {"C", cc}};
  return c;
}

// The bare work: create the same tree with plain calls, mount, walk, unmount, remove.
void bare_write(int dir, const Node& n) {
  for (const auto& [name, ch] : n.children) {
    const char* nm = name.c_str();
    switch (ch->type) {
      case NodeType::Dir: {
        mkdirat(dir, nm, 0755);
        int fd = openat(dir, nm, O_RDONLY | O_DIRECTORY);
        for (const auto& [k, v] : ch->xattrs) fsetxattr(fd, k.c_str(), v.data(), v.size(), 0);
        bare_write(fd, *ch);
        close(fd);
        break;
      }
      case NodeType::Reg: {
        int fd = openat(dir, nm, O_WRONLY | O_CREAT, 0644);
        if (write(fd, ch->data.data(), ch->data.size()) < 0) std::abort();
        close(fd);
        break;
      }
      case NodeType::Lnk: symlinkat(ch->target.c_str(), dir, nm); break;
      default: mknodat(dir, nm, S_IFCHR | 0644, 0); break;
    }
  }
}

void bare_walk(const std::string& p) {
  struct stat st {};
  if (lstat(p.c_str(), &st) != 0) return;
  char buf[4096];
  listxattr(p.c_str(), buf, sizeof buf);
  if (S_ISREG(st.st_mode)) {
    int fd = open(p.c_str(), O_RDONLY);
    if (fd >= 0) {
      while (read(fd, buf, sizeof buf) > 0) {
      }
      close(fd);
    }
  } else if (S_ISLNK(st.st_mode)) {
    if (readlink(p.c_str(), buf, sizeof buf) < 0) return;
  } else if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> names;
    if (DIR* d = opendir(p.c_str())) {
      while (dirent* e = readdir(d))
        if (e->d_name[0] != '.' || (e->d_name[1] && (e->d_name[1] != '.' || e->d_name[2]))) names.push_back(e->d_name);
      closedir(d);
    }
    for (const auto& n : names) bare_walk(p + "/" + n);
  }
}

void bare_remove(int parent, const char* name) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (fd < 0) {
    unlinkat(parent, name, 0);
    return;
  }
  DIR* d = fdopendir(fd);
  std::vector<std::string> names;
  while (dirent* e = readdir(d))
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.push_back(e->d_name);
  for (const auto& n : names) bare_remove(dirfd(d), n.c_str());
  closedir(d);
  unlinkat(parent, name, AT_REMOVEDIR);
}

void bare_cycle(const Case& c, const std::string& scratch) {
  std::string base = scratch + "/bare";
  mkdir(base.c_str(), 0755);
  int bfd = open(base.c_str(), O_RDONLY | O_DIRECTORY);
  for (const auto& [name, l] : c.layers) {
    mkdirat(bfd, name.c_str(), 0755);
    int fd = openat(bfd, name.c_str(), O_RDONLY | O_DIRECTORY);
    bare_write(fd, l->root());
    close(fd);
  }
  mkdirat(bfd, "mnt", 0755);
  std::string mp = base + "/mnt";
  std::string opts = "lowerdir=" + base + "/A:" + base + "/B:" + base + "/C";
  if (mount("overlay", mp.c_str(), "overlay", 0, opts.c_str()) != 0) std::abort();
  bare_walk(mp);
  umount2(mp.c_str(), MNT_DETACH);  // as the runner does: no RCU grace-period wait
  close(bfd);
  int sfd = open(scratch.c_str(), O_RDONLY | O_DIRECTORY);
  bare_remove(sfd, "bare");
  close(sfd);
}

double us_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
}

void BM_KernelTargetCycle(benchmark::State& state) {
  Case c = small_stack();
  Sandbox& sb = Sandbox::enter();
  TargetOptions in_process;
  in_process.isolate = false;
  KernelTarget runner(MountApi::Legacy, in_process);
  KernelTarget isolated(MountApi::Legacy);
  if (runner.run(c).kind != TargetOutcome::Kind::Observed) {
    state.SkipWithError("the kernel target did not observe the bench case");
    return;
  }
  double bare = 0, run = 0, iso = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    bare_cycle(c, sb.scratch());
    bare += us_since(t0);
    t0 = std::chrono::steady_clock::now();
    TargetOutcome o = runner.run(c);
    run += us_since(t0);
    benchmark::DoNotOptimize(o);
    t0 = std::chrono::steady_clock::now();
    o = isolated.run(c);
    iso += us_since(t0);
    benchmark::DoNotOptimize(o);
  }
  double n = static_cast<double>(state.iterations());
  state.counters["bare_us"] = bare / n;
  state.counters["runner_us"] = run / n;
  state.counters["isolated_us"] = iso / n;
  state.counters["ratio"] = run / bare;
  state.counters["ratio_isolated"] = iso / bare;
}
BENCHMARK(BM_KernelTargetCycle)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

// The isolation alone: fork, unshare(CLONE_NEWNS), a pipe round trip, exit, reap.
void BM_IsolatedChildNoop(benchmark::State& state) {
  for (auto _ : state) {
    ChildResult r = run_isolated([] { return std::string("x"); }, 10);
    if (!r.ok) state.SkipWithError(r.error.c_str());
  }
}
BENCHMARK(BM_IsolatedChildNoop)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // The sandbox must be entered before any thread exists.
  if (auto why = ovl::overlay_unavailable_reason()) {
    std::fprintf(stderr, "target_bench: cannot run here: %s\n", why->c_str());
    return 3;
  }
  try {
    ovl::Sandbox::enter();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "target_bench: cannot run here: %s\n", e.what());
    return 3;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
