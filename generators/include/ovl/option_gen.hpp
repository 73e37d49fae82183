// Generators of mount option inputs (R51–R63) for both APIs, weighted to the edges, and the
// pure comparison of a model answer with what a kernel did for the same input.
#pragma once
#include <cstdint>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "ovl/options.hpp"

namespace ovl::gen {

/// A source of choices: pick(n) is in 0..n-1, and 0 is always the simplest choice, so a
/// shrinker that lowers choices towards 0 (or drops them) makes the input simpler.
class Chooser {
 public:
  virtual ~Chooser() = default;
  virtual std::size_t pick(std::size_t n) = 0;
  /// true with probability percent/100 (false is the simple answer).
  bool chance(unsigned percent) { return pick(100) >= 100 - percent; }
};

/// Choices from a seeded 64-bit Mersenne twister (deterministic per seed).
class SeededChooser : public Chooser {
 public:
  explicit SeededChooser(std::uint64_t seed) : rng_(seed) {}
  std::size_t pick(std::size_t n) override { return n <= 1 ? 0 : static_cast<std::size_t>(rng_() % n); }

 private:
  std::mt19937_64 rng_;
};

/// Choices read from a list (RapidCheck generates and shrinks the list); 0 once exhausted.
class ListChooser : public Chooser {
 public:
  explicit ListChooser(const std::vector<std::uint32_t>& list) : list_(list) {}
  std::size_t pick(std::size_t n) override {
    if (n <= 1 || next_ >= list_.size()) return 0;
    return list_[next_++] % n;
  }

 private:
  const std::vector<std::uint32_t>& list_;
  std::size_t next_ = 0;
};

/// One generated option: key, value (nullopt = a bare flag), and whether the fsconfig form
/// passes the value as a file descriptor opened on that path.
struct GenOption {
  std::string key;
  std::optional<std::string> value;
  bool fd = false;
  bool operator==(const GenOption&) const = default;
};

/// A generated input: the options, rendered for the legacy string or as fsconfig calls.
struct OptionInput {
  std::string family;  // which edge the generator aimed at ("lowerdir-syntax", "conflicts" …)
  std::vector<GenOption> options;
  /// key[=value] joined by commas, as mount(2) receives it.
  std::string legacy() const;
  /// One FSCONFIG_SET_FLAG / _STRING / _FD call per option, in order.
  std::vector<FsconfigCall> calls() const;
};

/// How RapidCheck prints an input in a counterexample.
inline void showValue(const OptionInput& in, std::ostream& os) { os << in.family << ": " << in.legacy(); }

/// The relative names generated inputs use; the caller creates them under one directory and
/// mounts from there. Fresh directories must be recreated (empty) before every mount.
struct OptionScratch {
  static const std::vector<std::string>& dirs();        // lower candidates: a, b, …, "a:x", d0…d509
  static const std::vector<std::string>& fresh_dirs();  // u, w, v, u/x, w/y, t2/w: recreated per input
  /// The directory that must be a filesystem of its own (t2: layers on two filesystems, R59/R63).
  static std::string second_fs() { return "t2"; }
  static const std::vector<std::string>& files();       // f
  static const std::vector<std::pair<std::string, std::string>>& symlinks();  // name → target
};

/// The generator families and their weights (out of 100).
const std::vector<std::pair<std::string, unsigned>>& option_families();
/// One input from a chooser (family chosen by weight unless `family` names one).
OptionInput generate_option_input(Chooser& ch, const std::string& family = "");
/// `count` inputs from one seed: the same seed gives the same inputs.
std::vector<OptionInput> generate_option_inputs(std::uint64_t seed, std::size_t count);
/// RapidCheck: an input built from a shrinkable list of choices.
rc::Gen<OptionInput> genOptionInput();

/// What a real mount attempt showed, in terms the model can be held to.
struct ObservedMount {
  bool ok = false;
  int err = 0;
  std::string stage;           // "mount", or the fsconfig key that failed, or "FSCONFIG_CMD_CREATE"
  std::vector<std::string> messages;  // kernel lines, "overlay: "/"overlayfs: " stripped
  bool messages_complete = false;     // fsconfig: the fs_context log (all error lines and only them)
  std::vector<std::string> kernel_log;  // fsconfig: new overlay kernel-log lines (pr_err refusals), stripped
  std::string mountinfo;              // the super options field of /proc/self/mountinfo
};

/// One comparison: agree, or the first field that differs.
struct OptionVerdict {
  bool agree = true;
  std::string rule;    // the clause the model used ("options.mountinfo" for an accepted mount)
  std::string field;   // "accept", "errno", "stage", "message", "mountinfo"
  std::string model;   // the model's value of that field
  std::string kernel;  // the kernel's value
};

/// Holds the kernel to the model for one input through one API.
OptionVerdict compare_option_outcome(const OptionInput& in, bool fsconfig, const FsconfigOutcome& model,
                                     const ObservedMount& kernel);

}  // namespace ovl::gen
