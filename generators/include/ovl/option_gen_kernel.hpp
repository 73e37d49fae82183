// The differential check of the option language against the running kernel: a scratch with the
// names option_gen.hpp uses, one real mount per input (legacy mount(2) or fsopen/fsconfig, via
// runners/), and a summary by rule. Header-only: only the CLI and the kernel test include it,
// and they link ovl_runners; the pure ovl_generators library never mounts.
#pragma once
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ovl/kernel_mount.hpp"
#include "ovl/option_gen.hpp"
#include "ovl/sandbox.hpp"

namespace ovl::gen {

/// The directory tree generated option inputs name, and the mountpoint beside it. The process's
/// working directory becomes the tree's root, so relative layer names resolve as generated.
class OptionScratchDir {
 public:
  /// Builds the tree under base (which must be on the sandbox's tmpfs) and chdirs into it.
  explicit OptionScratchDir(const std::string& base) : root_(base + "/layers"), mnt_(base + "/mnt") {
    namespace fs = std::filesystem;
    fs::create_directories(root_);
    fs::create_directories(mnt_);
    const std::string second = root_ + "/" + OptionScratch::second_fs();
    fs::create_directories(second);
    if (::mount("ovlspec-t2", second.c_str(), "tmpfs", 0, "mode=0755") != 0)
      throw std::runtime_error("cannot mount a tmpfs on " + second);
    for (const auto& d : OptionScratch::dirs()) fs::create_directories(root_ + "/" + d);
    for (const auto& f : OptionScratch::files()) std::ofstream(root_ + "/" + f) << "file\n";
    for (const auto& [name, target] : OptionScratch::symlinks()) fs::create_directory_symlink(target, root_ + "/" + name);
    if (::chdir(root_.c_str()) != 0) throw std::runtime_error("cannot chdir to " + root_);
    reset_fresh();
  }
  /// Recreates the fresh directories (upper, work …) empty, as before a first mount.
  void reset_fresh() {
    namespace fs = std::filesystem;
    const auto& fresh = OptionScratch::fresh_dirs();
    for (const auto& d : fresh) {
      bool inside_another = false;  // removed with its fresh parent
      for (const auto& p : fresh) inside_another = inside_another || d.rfind(p + "/", 0) == 0;
      if (!inside_another) fs::remove_all(root_ + "/" + d);
    }
    for (const auto& d : fresh) fs::create_directories(root_ + "/" + d);
  }
  /// What the model may know about the disk: stat (following symlinks), realpath, st_dev, and
  /// the stacking depth of overlay mounts the caller declared with declare_overlay().
  ParseContext context() const {
    ParseContext pc;
    std::vector<std::string> mountpoints;  // to tell which layers have mounts below them
    {
      std::ifstream in("/proc/self/mountinfo");
      std::string line;
      while (std::getline(in, line)) {
        std::size_t pos = 0;
        for (int f = 0; f < 4 && pos != std::string::npos; ++f) pos = line.find(' ', pos + 1);
        if (pos == std::string::npos) continue;
        mountpoints.push_back(line.substr(pos + 1, line.find(' ', pos + 1) - pos - 1));
      }
    }
    pc.probe = [depths = depths_, mountpoints](const std::string& p) {
      PathInfo i;
      struct stat st {};
      if (::stat(p.c_str(), &st) != 0) {
        i.err = errno;
        return i;
      }
      i.is_dir = S_ISDIR(st.st_mode);
      i.fs = st.st_dev;
      i.mnt = st.st_dev;
      char buf[PATH_MAX];
      if (::realpath(p.c_str(), buf)) i.canonical = buf;
      for (const auto& m : mountpoints)
        i.has_submounts = i.has_submounts || (!i.canonical.empty() && m.rfind(i.canonical + "/", 0) == 0);
      for (const auto& [root, depth] : depths)
        if (i.canonical == root || i.canonical.rfind(root + "/", 0) == 0) i.stack_depth = std::max(i.stack_depth, depth);
      return i;
    };
    return pc;
  }
  /// Declares that an overlay of stacking depth `depth` is mounted on `dir` (absolute).
  void declare_overlay(const std::string& dir, int depth) { depths_.emplace_back(dir, depth); }
  const std::string& root() const { return root_; }
  const std::string& mountpoint() const { return mnt_; }

 private:
  std::string root_, mnt_;
  std::vector<std::pair<std::string, int>> depths_;
};

/// The super options field of the mount at `mountpoint` in /proc/self/mountinfo ("" if none).
inline std::string super_options_of(const std::string& mountpoint) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    // id parent maj:min root mountpoint options [optional…] - fstype source superoptions
    std::size_t pos = 0;
    for (int f = 0; f < 4 && pos != std::string::npos; ++f) pos = line.find(' ', pos + 1);
    if (pos == std::string::npos) continue;
    const std::size_t end = line.find(' ', pos + 1);
    if (line.compare(pos + 1, end - pos - 1, mountpoint) != 0) continue;
    const std::size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::size_t s = line.find(' ', dash + 3);   // after fstype
    s = line.find(' ', s + 1);                  // after source
    if (s != std::string::npos) found = line.substr(s + 1);  // the newest mount there wins
  }
  return found;
}

/// One real mount of `in` through one API; unmounts again. Throws if it cannot clean up.
inline ObservedMount kernel_mount_once(const OptionInput& in, bool fsconfig, OptionScratchDir& scratch) {
  scratch.reset_fresh();
  MountAttempt a = fsconfig ? mount_fsconfig(in.calls(), scratch.mountpoint())
                            : mount_legacy(in.legacy(), scratch.mountpoint());
  ObservedMount k;
  k.ok = a.ok;
  k.err = a.err;
  k.stage = a.failed_call.rfind("fsconfig ", 0) == 0 ? a.failed_call.substr(9) : a.failed_call;
  k.messages_complete = fsconfig;
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      if (nl > start) out.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    return out;
  };
  auto strip = [](std::string l) {
    for (const char* p : {"overlay: ", "overlayfs: "})
      if (l.rfind(p, 0) == 0) return l.substr(std::string(p).size());
    return l;
  };
  if (!fsconfig) {
    k.messages = lines(a.message);  // the new overlay kernel-log lines, stripped
  } else {
    // a.log: the fs_context log ("e …", "w …", "i …") and then the overlay kernel-log lines.
    for (const auto& l : lines(a.log)) {
      if (l.size() > 2 && l[1] == ' ' && (l[0] == 'e' || l[0] == 'w' || l[0] == 'i')) {
        if (l[0] == 'e') k.messages.push_back(strip(l.substr(2)));
      } else {
        k.kernel_log.push_back(strip(l));
      }
    }
  }
  if (a.ok) {
    k.mountinfo = super_options_of(scratch.mountpoint());
    if (int e = unmount(scratch.mountpoint()); e != 0)
      throw std::runtime_error("cannot unmount " + scratch.mountpoint() + ": errno " + std::to_string(e));
  }
  return k;
}

/// Counts per rule, and the disagreements found (with their inputs).
struct OptionCheckReport {
  struct Count {
    std::size_t inputs = 0, agree = 0;
  };
  std::map<std::string, Count> by_rule;  // "legacy options.lowerdir" → counts
  std::size_t inputs = 0, disagreements = 0;
  std::vector<std::string> findings;  // one line each: api, input, field, model vs kernel
};

/// Runs `inputs` through each API asked for, from `scratch`, holding the kernel to the model
/// under `pc`; adds to `rep`.
inline void check_option_inputs(const std::vector<OptionInput>& inputs, bool legacy, bool fsconfig,
                                OptionScratchDir& scratch, const ParseContext& pc, const std::string& label,
                                std::size_t max_findings, OptionCheckReport& rep) {
  for (int api = 0; api < 2; ++api) {
    const bool fs = api == 1;
    if ((fs && !fsconfig) || (!fs && !legacy)) continue;
    for (const auto& in : inputs) {
      scratch.reset_fresh();
      FsconfigOutcome model;
      if (fs)
        model = run_fsconfig(in.calls(), pc);
      else
        model.result = parse_mount_options(in.legacy(), pc);
      ObservedMount k = kernel_mount_once(in, fs, scratch);
      OptionVerdict v = compare_option_outcome(in, fs, model, k);
      const std::string api_name = label + (fs ? "fsconfig" : "legacy");
      auto& c = rep.by_rule[api_name + " " + v.rule];
      ++c.inputs;
      ++rep.inputs;
      if (v.agree) {
        ++c.agree;
        continue;
      }
      ++rep.disagreements;
      if (rep.findings.size() >= max_findings) continue;
      std::string text = in.legacy();
      if (text.size() > 300) text = text.substr(0, 300) + "…";
      rep.findings.push_back(api_name + " [" + in.family + "] " + text + "\n    " + v.field + ": model " + v.model +
                             "\n    " + std::string(v.field.size(), ' ') + "  kernel " + v.kernel);
    }
  }
}

/// Runs `count` inputs of `seed` through each API asked for; the model is held to the kernel.
/// unprivileged: mount from a child in a new user namespace (root mapped to root), where the
/// mounter lacks CAP_SYS_ADMIN in the initial namespace (R59 EPERM rules, trusted xattr fallback).
inline OptionCheckReport run_option_check(std::uint64_t seed, std::size_t count, bool legacy, bool fsconfig,
                                          std::size_t max_findings = 50, bool unprivileged = false) {
  Sandbox& sb = Sandbox::enter();
  const std::string base = sb.make_dir("check-options");
  char cwd[PATH_MAX];
  const bool have_cwd = ::getcwd(cwd, sizeof cwd) != nullptr;
  OptionCheckReport rep;
  {
    OptionScratchDir scratch(base);
    const auto inputs = generate_option_inputs(seed, count);
    if (!unprivileged) {
      check_option_inputs(inputs, legacy, fsconfig, scratch, scratch.context(), "", max_findings, rep);
    } else {
      ChildResult r = run_isolated(
          [&]() -> std::string {
            if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) throw std::runtime_error("unshare(CLONE_NEWUSER) failed");
            auto put = [](const char* file, const char* text) {
              std::ofstream f(file);
              f << text;
              if (!f.flush()) throw std::runtime_error(std::string("cannot write ") + file);
            };
            put("/proc/self/setgroups", "deny");
            put("/proc/self/uid_map", "0 0 1");
            put("/proc/self/gid_map", "0 0 1");
            ParseContext pc = scratch.context();
            pc.privileged = false;
            OptionCheckReport child;
            check_option_inputs(inputs, legacy, fsconfig, scratch, pc, "userns ", max_findings, child);
            // one record per line: R rule inputs agree / F finding / T inputs disagreements
            std::string out;
            for (const auto& [rule, c] : child.by_rule)
              out += "R\t" + rule + "\t" + std::to_string(c.inputs) + "\t" + std::to_string(c.agree) + "\n";
            for (auto f : child.findings) {
              std::replace(f.begin(), f.end(), '\n', '\x01');
              out += "F\t" + f + "\n";
            }
            out += "T\t" + std::to_string(child.inputs) + "\t" + std::to_string(child.disagreements) + "\n";
            return out;
          },
          900);
      if (!r.ok) throw std::runtime_error("the user-namespace check did not finish: " + r.error);
      std::size_t pos = 0;
      while (pos < r.output.size()) {
        std::size_t nl = r.output.find('\n', pos);
        std::string line = r.output.substr(pos, nl - pos);
        pos = nl == std::string::npos ? r.output.size() : nl + 1;
        std::vector<std::string> f;
        for (std::size_t a = 0, b; a <= line.size(); a = b + 1) {
          b = line.find('\t', a);
          if (b == std::string::npos) b = line.size();
          f.push_back(line.substr(a, b - a));
        }
        if (f[0] == "R" && f.size() == 4) {
          rep.by_rule[f[1]] = {std::stoul(f[2]), std::stoul(f[3])};
        } else if (f[0] == "F" && f.size() == 2) {
          std::replace(f[1].begin(), f[1].end(), '\x01', '\n');
          rep.findings.push_back(f[1]);
        } else if (f[0] == "T" && f.size() == 3) {
          rep.inputs = std::stoul(f[1]);
          rep.disagreements = std::stoul(f[2]);
        }
      }
    }
  }
  if (have_cwd && ::chdir(cwd) != 0) {
    // the old working directory is gone; stay where we are
  }
  sb.remove_tree(base);
  return rep;
}

}  // namespace ovl::gen
