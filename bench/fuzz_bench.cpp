// Fuzz throughput against the running kernel: generated cases per second with batching (many
// cases share one mount, generators/batch.hpp) and without (one mount per case), and the bare
// syscall floor for the same layers: write the batch's layers with plain syscalls, mount(2),
// walk the mount (lstat, readdir, open+read, llistxattr), umount2, remove — no model, no diff,
// no isolated child. Needs root and overlayfs; everything happens in the runners' Sandbox.
//
//   fuzz_bench [--cases N] [--seed S] [google benchmark flags]
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ovl/batch.hpp"
#include "ovl/features.hpp"
#include "ovl/fuzz.hpp"
#include "ovl/fuzz_target.hpp"
#include "ovl/kernel_target.hpp"
#include "ovl/sandbox.hpp"

namespace {
using namespace ovl;
using namespace ovl::gen;

std::size_t g_cases = 2048;
std::uint64_t g_seed = 1;
std::map<std::string, double> g_rate;  // benchmark -> cases per second (last run)

GenParams params() { return GenParams{.shape_run = 64}; }

void fuzz_rate(benchmark::State& state, std::size_t batch, bool isolate, const char* label, std::size_t jobs = 1) {
  if (auto why = overlay_unavailable_reason()) {
    state.SkipWithError(("needs root and overlayfs: " + *why).c_str());
    return;
  }
  TargetOptions to;
  to.isolate = isolate;
  std::vector<std::unique_ptr<KernelTarget>> kts;
  std::vector<std::vector<FuzzTarget>> workers;
  for (std::size_t j = 0; j < jobs; ++j) {
    kts.push_back(std::make_unique<KernelTarget>(MountApi::Legacy, to));
    workers.push_back({fuzz_target(*kts.back())});
  }
  Semantics sem;
  sem.kernel = kts.front()->level();
  Oracle oracle = model_oracle(sem, module_params());
  std::size_t cases = 0, mounts = 0;
  double seconds = 0;
  for (auto _ : state) {
    FuzzOptions o;
    o.seed = g_seed;
    o.cases = g_cases;
    o.batch = batch;
    o.gen = params();
    o.max_findings = 0;  // count divergences, do not shrink: this measures the pipeline
    FuzzReport r = fuzz_on_workers(o, oracle, workers);
    cases += r.progress.cases;
    mounts += r.progress.mounts;
    seconds += r.progress.seconds;
  }
  double rate = seconds > 0 ? static_cast<double>(cases) / seconds : 0;
  state.counters["cases_per_s"] = rate;
  state.counters["cases_per_mount"] = mounts ? static_cast<double>(cases) / static_cast<double>(mounts) : 0;
  g_rate[label] = rate;
}

// ---- the bare-syscall floor -------------------------------------------------------------

void die(const char* what, const std::string& path) {
  std::fprintf(stderr, "fuzz_bench floor: %s %s: %s\n", what, path.c_str(), std::strerror(errno));
  std::exit(3);
}

void write_node(const std::string& path, const Node& n) {
  switch (n.type) {
    case NodeType::Dir:
      if (mkdir(path.c_str(), 0755) && errno != EEXIST) die("mkdir", path);
      break;
    case NodeType::Reg: {
      int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) die("open", path);
      if (!n.data.empty() && write(fd, n.data.data(), n.data.size()) < 0) die("write", path);
      if (n.size > n.data.size() && ftruncate(fd, static_cast<off_t>(n.size))) die("ftruncate", path);
      close(fd);
      break;
    }
    case NodeType::Lnk:
      if (symlink(n.target.c_str(), path.c_str())) die("symlink", path);
      break;
    case NodeType::Chr:
    case NodeType::Blk:
    case NodeType::Fifo:
    case NodeType::Sock: {
      mode_t m = n.type == NodeType::Chr ? S_IFCHR : n.type == NodeType::Blk ? S_IFBLK : n.type == NodeType::Fifo ? S_IFIFO : S_IFSOCK;
      if (mknod(path.c_str(), m | 0644, makedev(n.rdev_major, n.rdev_minor))) die("mknod", path);
      break;
    }
  }
  for (const auto& [k, v] : n.xattrs)
    if (lsetxattr(path.c_str(), k.c_str(), v.data(), v.size(), 0)) die("lsetxattr", path);
  if (n.is_dir())
    for (const auto& [name, child] : n.children) write_node(path + "/" + name, *child);
}

std::size_t walk(const std::string& path) {
  std::size_t n = 1;
  struct stat st {};
  if (lstat(path.c_str(), &st)) return n;
  char names[4096];
  (void)llistxattr(path.c_str(), names, sizeof names);
  if (S_ISREG(st.st_mode)) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      char buf[65536];
      while (read(fd, buf, sizeof buf) > 0) {
      }
      close(fd);
    }
  } else if (S_ISDIR(st.st_mode)) {
    DIR* d = opendir(path.c_str());
    if (!d) return n;
    std::vector<std::string> kids;
    while (dirent* e = readdir(d))
      if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) kids.emplace_back(e->d_name);
    closedir(d);
    for (const auto& k : kids) n += walk(path + "/" + k);
  }
  return n;
}

void remove_tree(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st)) return;
  if (S_ISDIR(st.st_mode)) {
    if (DIR* d = opendir(path.c_str())) {
      std::vector<std::string> kids;
      while (dirent* e = readdir(d))
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) kids.emplace_back(e->d_name);
      closedir(d);
      for (const auto& k : kids) remove_tree(path + "/" + k);
    }
    rmdir(path.c_str());
  } else {
    unlink(path.c_str());
  }
}

/// One mount of a batch Case with plain syscalls; returns false if the kernel refused it.
bool floor_once(const Case& c, const std::string& base) {
  if (mkdir(base.c_str(), 0755)) die("mkdir", base);
  for (const auto& [name, layer] : c.layers) write_node(base + "/" + name, layer->root());
  std::string mnt = base + "/mnt";
  if (mkdir(mnt.c_str(), 0755)) die("mkdir", mnt);
  // layer names are relative: mount from the base directory
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) die("getcwd", base);
  if (chdir(base.c_str())) die("chdir", base);
  bool ok = mount("overlay", mnt.c_str(), "overlay", 0, c.options.c_str()) == 0;
  if (chdir(cwd)) die("chdir", cwd);
  if (ok) {
    benchmark::DoNotOptimize(walk(mnt));
    if (umount2(mnt.c_str(), 0)) die("umount2", mnt);
  }
  remove_tree(base);
  return ok;
}

void BM_BareSyscallFloor(benchmark::State& state) {
  if (auto why = overlay_unavailable_reason()) {
    state.SkipWithError(("needs root and overlayfs: " + *why).c_str());
    return;
  }
  Sandbox& sb = Sandbox::enter();
  auto cases = generate_cases(g_seed, g_cases, params());
  std::vector<Case> batches;
  for (const auto& b : plan_batches(cases, 64)) {
    std::vector<const GenCase*> members;
    for (std::size_t i : b) members.push_back(&cases[i]);
    batches.push_back(to_case(b.size() > 1 ? make_batch(members) : cases[b[0]], "floor"));
  }
  std::size_t done = 0, n = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    for (const auto& c : batches) floor_once(c, sb.scratch() + "/floor-" + std::to_string(++n));
    done += cases.size();
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double rate = s > 0 ? static_cast<double>(done) / s : 0;
  state.counters["cases_per_s"] = rate;
  state.counters["cases_per_mount"] = static_cast<double>(cases.size()) / static_cast<double>(batches.size());
  g_rate["bare-syscall floor, batched layers"] = rate;
}

void BM_FuzzBatched(benchmark::State& state) { fuzz_rate(state, 64, true, "fuzz, batched, 1 worker (isolated child per chunk)"); }
void BM_FuzzBatchedInProcess(benchmark::State& state) { fuzz_rate(state, 64, false, "fuzz, batched, 1 worker (in process, no child)"); }
void BM_FuzzUnbatched(benchmark::State& state) { fuzz_rate(state, 1, true, "fuzz, one mount per case, 1 worker (isolated)"); }
void BM_FuzzBatchedTwoJobs(benchmark::State& state) {
  fuzz_rate(state, 64, true, "fuzz, batched, 2 workers (isolated child per chunk)", 2);
}

BENCHMARK(BM_BareSyscallFloor)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FuzzBatched)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FuzzBatchedInProcess)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FuzzUnbatched)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_FuzzBatchedTwoJobs)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  // Our flags first; the rest goes to Google Benchmark.
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--cases" || a == "--seed") && i + 1 < argc) {
      char* end = nullptr;
      unsigned long long v = std::strtoull(argv[++i], &end, 10);
      if (!end || *end || v == 0) {
        std::fprintf(stderr, "fuzz_bench: %s: expected a positive number, got \"%s\"\n", a.c_str(), argv[i]);
        return 2;
      }
      (a == "--cases" ? g_cases : g_seed) = static_cast<std::size_t>(v);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  // The sandbox (a private mount namespace) must be entered before any thread exists.
  if (!overlay_unavailable_reason()) Sandbox::enter();
  benchmark::Initialize(&n, rest.data());
  if (benchmark::ReportUnrecognizedArguments(n, rest.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  double floor = g_rate["bare-syscall floor, batched layers"];
  std::printf("\n%zu generated cases (seed %llu), one kernel target (legacy mount API); the floor runs on one thread:\n", g_cases,
              static_cast<unsigned long long>(g_seed));
  for (const auto& [name, rate] : g_rate)
    std::printf("  %-48s %8.0f cases/s  %5.2f of the bare-syscall floor\n", name.c_str(), rate,
                floor > 0 ? rate / floor : 0.0);
  return 0;
}
