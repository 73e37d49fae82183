// Option input generators (option_gen.hpp): families of inputs aimed at the edges of R51–R63,
// driven by a Chooser so that the seeded and the RapidCheck generators share one definition.
#include "ovl/option_gen.hpp"

#include <algorithm>

#include "ovl/errnos.hpp"
#include "ovl/option_table.hpp"

namespace ovl::gen {
namespace {

constexpr std::size_t kNumbered = 510;  // d0 … d509

template <class T>
const T& one_of(Chooser& ch, const std::vector<T>& v) {
  return v[ch.pick(v.size())];
}

/// The regular lower candidates, most common first.
const std::vector<std::string>& plain_dirs() {
  static const std::vector<std::string> v = {"a", "b", "c", "d", "e"};
  return v;
}
/// Names that need escaping, nesting, or do not work as layers.
const std::vector<std::string>& odd_names() {
  static const std::vector<std::string> v = {"a:x", "a,b", "a\\b", "a\\,b", "sp ace", "a=b",  "a/n",  "l",
                                             "f",   "m",   "a:",  "u",    "w",     "u/x",  ".",    "a/./.",
                                             "./a", "t2/a", "t2/b", "../layers/b", "t2"};
  return v;
}

/// Escapes a name for the lowerdir= value: ':' ',' and '\' get a backslash.
std::string escape_lowerdir(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == ':' || c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string layer_name(Chooser& ch) {
  if (ch.chance(30)) return one_of(ch, odd_names());
  return one_of(ch, plain_dirs());
}

/// A lowerdir= value: 1–5 components, ':' or '::' between them, escapes (or, sometimes, the
/// raw name), and now and then a leading, trailing or tripled colon or a lone backslash.
std::string lowerdir_value(Chooser& ch) {
  std::string v;
  const std::size_t n = 1 + ch.pick(5);
  if (ch.chance(4)) v += ch.chance(50) ? ":" : "::";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) {
      std::size_t s = ch.pick(100);
      v += s < 70 ? ":" : s < 95 ? "::" : ":::";
    }
    std::string name = layer_name(ch);
    v += ch.chance(12) ? name : escape_lowerdir(name);
  }
  if (ch.chance(5)) {
    static const std::vector<std::string> tails = {":", "::", "\\", ":\\", "\\:"};
    v += one_of(ch, tails);
  }
  return v;
}

void add(std::vector<GenOption>& o, std::string key, std::optional<std::string> value, bool fd = false) {
  o.push_back(GenOption{std::move(key), std::move(value), fd});
}

bool is_plain_dir(const std::string& n) {
  return std::find(plain_dirs().begin(), plain_dirs().end(), n) != plain_dirs().end() || n == "a:x" ||
         n == "u" || n == "w" || n == "a\\b" || n == "a,b" || n == "a/n";
}

/// A layer option added one at a time (lowerdir+ / datadir+): the name is taken literally.
void add_plus(Chooser& ch, std::vector<GenOption>& o, const std::string& key) {
  std::string name = layer_name(ch);
  if (ch.chance(3)) name = "";
  add(o, key, name, is_plain_dir(name) && ch.chance(20));
}

void add_upper(Chooser& ch, std::vector<GenOption>& o) {
  static const std::vector<std::string> uppers = {"u", "u", "u", "w", "u/x", "f", "m", "v", "w/y", "u\\", "u\\x"};
  static const std::vector<std::string> works = {"w", "w", "w", "u", "u/x", "w/y", "f", "m", "w\\", "t2/w"};
  const std::string up = ch.chance(25) ? one_of(ch, uppers) : "u";
  const std::string wk = ch.chance(25) ? one_of(ch, works) : "w";
  const bool up_fd = (up == "u" || up == "w") && ch.chance(15);
  const bool wk_fd = (wk == "u" || wk == "w") && ch.chance(15);
  const std::size_t form = ch.pick(10);
  if (form == 9) {
    add(o, "upperdir", up, up_fd);  // no workdir
  } else if (form == 8) {
    add(o, "workdir", wk, wk_fd);  // workdir without upper
  } else if (form == 7) {
    add(o, "workdir", wk, wk_fd);
    add(o, "upperdir", up, up_fd);
  } else {
    add(o, "upperdir", up, up_fd);
    add(o, "workdir", wk, wk_fd);
  }
}

/// A valid-looking base: two lowers (or one, with an upper).
void add_base(Chooser& ch, std::vector<GenOption>& o, bool upper) {
  if (ch.chance(25)) {
    add(o, "lowerdir+", "a", ch.chance(20));
    if (!upper || ch.chance(50)) add(o, ch.chance(30) ? "datadir+" : "lowerdir+", "b", ch.chance(20));
  } else {
    add(o, "lowerdir", upper && ch.chance(50) ? "a" : (ch.chance(20) ? "a::b" : "a:b"));
  }
  if (upper) add_upper(ch, o);
}

/// A random table key with a value that fits (mostly) or does not.
void add_key(Chooser& ch, std::vector<GenOption>& o) {
  const std::size_t r = ch.pick(100);
  if (r < 6) {
    const auto& f = kSbFlagTable[ch.pick(kSbFlagTable.size())];
    add(o, std::string(f.key), ch.chance(10) ? std::optional<std::string>("x") : std::nullopt);
    return;
  }
  if (r < 10) {
    static const std::vector<std::string> unknown = {"foo",      "nouserxattr", "nodefault_permissions", "lowerdir-",
                                                     "Lowerdir", "redirect",    "noindex", "datadir", "upper",
                                                     "source",   "silent",      "posixacl"};
    add(o, one_of(ch, unknown), ch.chance(50) ? std::optional<std::string>("on") : std::nullopt);
    return;
  }
  const OptionSpec& s = kOptionTable[5 + ch.pick(kOptionTable.size() - 5)];  // not the layer keys
  std::string key(s.key);
  if (s.kind == OptionKind::FlagNo && ch.chance(50)) key = "no" + key;
  if (s.kind == OptionKind::Flag || s.kind == OptionKind::FlagNo) {
    add(o, key, ch.chance(8) ? std::optional<std::string>(ch.chance(50) ? "" : "on") : std::nullopt);
    return;
  }
  auto values = option_values(s);
  const std::size_t v = ch.pick(100);
  if (v < 88) {
    add(o, key, std::string(values[ch.pick(values.size())]));
  } else if (v < 94) {
    add(o, key, std::nullopt);  // an enum without value
  } else {
    static const std::vector<std::string> bad = {"", "ON", "yes", "1", "on ", "offf"};
    add(o, key, one_of(ch, bad));
  }
}

/// The keys R59 resolves against each other, with values that make them interact.
void add_conflict_key(Chooser& ch, std::vector<GenOption>& o) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> keys = {
      {"metacopy", {"on", "off"}},
      {"redirect_dir", {"on", "off", "follow", "nofollow"}},
      {"nfs_export", {"on", "off"}},
      {"index", {"on", "off"}},
      {"userxattr", {}},
      {"verity", {"on", "require", "off"}},
      {"uuid", {"on", "null", "off", "auto"}},
      {"volatile", {}},
      {"fsync", {"volatile", "strict", "auto"}},
      {"xino", {"on", "auto", "off"}},
  };
  const auto& [k, vals] = one_of(ch, keys);
  if (vals.empty())
    add(o, k, std::nullopt);
  else
    add(o, k, one_of(ch, vals));
}

std::string numbered(std::size_t i) { return "d" + std::to_string(i); }

}  // namespace

const std::vector<std::string>& OptionScratch::dirs() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> d = {"a",   "b",      "c",   "d",   "e",    "a:x", "a,b",
                                  "a\\b", "a\\,b", "sp ace", "a=b", "a/n", "t2/a", "t2/b"};
    for (std::size_t i = 0; i < kNumbered; ++i) d.push_back(numbered(i));
    return d;
  }();
  return v;
}
const std::vector<std::string>& OptionScratch::fresh_dirs() {
  static const std::vector<std::string> v = {"u", "w", "v", "u/x", "w/y", "t2/w"};
  return v;
}
const std::vector<std::string>& OptionScratch::files() {
  static const std::vector<std::string> v = {"f"};
  return v;
}
const std::vector<std::pair<std::string, std::string>>& OptionScratch::symlinks() {
  static const std::vector<std::pair<std::string, std::string>> v = {{"l", "a"}};
  return v;
}

const std::vector<std::pair<std::string, unsigned>>& option_families() {
  static const std::vector<std::pair<std::string, unsigned>> v = {
      {"basic", 8},   {"lowerdir-syntax", 22}, {"lowerdir-plus", 14}, {"keys", 16}, {"conflicts", 20},
      {"upper", 10},  {"limits", 4},           {"truncate", 2},       {"repeat", 4},
  };
  return v;
}

OptionInput generate_option_input(Chooser& ch, const std::string& family) {
  OptionInput in;
  if (family.empty()) {
    std::size_t r = ch.pick(100), acc = 0;
    in.family = option_families().front().first;
    for (const auto& [name, w] : option_families()) {
      acc += w;
      if (r < acc) {
        in.family = name;
        break;
      }
    }
  } else {
    in.family = family;
  }
  auto& o = in.options;
  const std::string& f = in.family;
  if (f == "basic") {
    add_base(ch, o, ch.chance(50));
  } else if (f == "lowerdir-syntax") {
    add(o, "lowerdir", lowerdir_value(ch));
    if (ch.chance(30)) add_upper(ch, o);
  } else if (f == "lowerdir-plus") {
    const std::size_t n = 1 + ch.pick(4);
    if (ch.chance(15)) add(o, "lowerdir", ch.chance(50) ? "" : "c:d");
    for (std::size_t i = 0; i < n; ++i) add_plus(ch, o, ch.chance(25) ? "datadir+" : "lowerdir+");
    if (ch.chance(15)) add(o, "lowerdir", ch.chance(30) ? "" : "c:d");
    if (ch.chance(25)) add_upper(ch, o);
  } else if (f == "keys") {
    add_base(ch, o, ch.chance(50));
    const std::size_t n = 1 + ch.pick(4);
    for (std::size_t i = 0; i < n; ++i) {
      auto at = o.begin() + static_cast<long>(ch.pick(o.size() + 1));
      std::vector<GenOption> one;
      add_key(ch, one);
      o.insert(at, one.begin(), one.end());
    }
  } else if (f == "conflicts") {
    add_base(ch, o, ch.chance(60));
    const std::size_t n = 1 + ch.pick(4);
    for (std::size_t i = 0; i < n; ++i) add_conflict_key(ch, o);
  } else if (f == "upper") {
    static const std::vector<std::string> lowers = {"a", "u", "w", "u/x", "a:u", "a::w", "w/y"};
    add(o, "lowerdir", ch.chance(50) ? "a" : one_of(ch, lowers));
    add_upper(ch, o);
  } else if (f == "limits") {
    const std::size_t n = 498 + ch.pick(5);  // 498 … 502 layers
    const std::size_t data = ch.chance(30) ? 1 + ch.pick(3) : 0;
    if (ch.chance(50)) {
      std::string v;
      for (std::size_t i = 0; i < n; ++i) v += (i == 0 ? "" : (i + data >= n ? "::" : ":")) + numbered(i);
      add(o, "lowerdir", v);
    } else {
      for (std::size_t i = 0; i < n; ++i) add(o, i + data >= n ? "datadir+" : "lowerdir+", numbered(i));
    }
  } else if (f == "truncate") {
    // A lowerdir long enough to cross the one-page limit of the legacy API.
    std::string v = "a:";
    std::string b = "b";
    const std::size_t target = 4060 + ch.pick(80);
    while (v.size() + b.size() + 9 < target) b += ch.chance(50) ? "/." : "/./";
    add(o, "lowerdir", v + b + ":c");
  } else {  // repeat: the last of a repeated key wins
    add_base(ch, o, ch.chance(50));
    add_conflict_key(ch, o);
    o.push_back(o.back());
    add_conflict_key(ch, o);
    if (ch.chance(30)) add(o, "lowerdir", lowerdir_value(ch));
  }
  return in;
}

std::vector<OptionInput> generate_option_inputs(std::uint64_t seed, std::size_t count) {
  std::vector<OptionInput> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    SeededChooser ch(seed * 1000003u + i);
    out.push_back(generate_option_input(ch));
  }
  return out;
}

rc::Gen<OptionInput> genOptionInput() {
  return rc::gen::map(rc::gen::container<std::vector<std::uint32_t>>(rc::gen::arbitrary<std::uint32_t>()),
                      [](const std::vector<std::uint32_t>& choices) {
                        ListChooser ch(choices);
                        return generate_option_input(ch);
                      });
}

std::string OptionInput::legacy() const {
  std::string s;
  for (const auto& o : options) {
    if (!s.empty()) s += ',';
    s += o.key;
    if (o.value) s += "=" + *o.value;
  }
  return s;
}

std::vector<FsconfigCall> OptionInput::calls() const {
  std::vector<FsconfigCall> out;
  for (const auto& o : options) {
    if (!o.value)
      out.push_back({FsconfigCall::Kind::Flag, o.key, ""});
    else
      out.push_back({o.fd ? FsconfigCall::Kind::Fd : FsconfigCall::Kind::String, o.key, *o.value});
  }
  return out;
}

OptionVerdict compare_option_outcome(const OptionInput& in, bool fsconfig, const FsconfigOutcome& model,
                                     const ObservedMount& kernel) {
  OptionVerdict v;
  const auto* err = std::get_if<MountError>(&model.result);
  v.rule = err ? err->clause : "options.mountinfo";
  auto differ = [&v](std::string field, std::string m, std::string k) {
    v.agree = false;
    v.field = std::move(field);
    v.model = std::move(m);
    v.kernel = std::move(k);
    return v;
  };
  if (!err) {
    if (!kernel.ok)
      return differ("accept", "accepted", "refused " + errno_name(kernel.err) + " at " + kernel.stage);
    const auto& cfg = std::get<MountConfig>(model.result);
    if (cfg.mountinfo != kernel.mountinfo) return differ("mountinfo", cfg.mountinfo, kernel.mountinfo);
    return v;
  }
  if (kernel.ok) return differ("accept", "refused " + errno_name(err->err) + ": " + err->message, "accepted");
  if (err->err != kernel.err) return differ("errno", errno_name(err->err), errno_name(kernel.err));
  if (fsconfig) {
    const auto calls = in.calls();
    const std::string stage = model.failed_call && *model.failed_call < calls.size() ? calls[*model.failed_call].key
                                                                                     : "FSCONFIG_CMD_CREATE";
    if (stage != kernel.stage) return differ("stage", stage, kernel.stage);
  }
  std::string seen;
  for (const auto& m : kernel.messages) seen += (seen.empty() ? "" : " | ") + m;
  if (kernel.messages_complete) {
    // The fs_context log holds exactly the invalf() refusals; pr_err ones go to dmesg only.
    const std::string expect = err->in_fc_log ? err->message : "";
    if (seen != expect) return differ("message", expect.empty() ? "(none in the fs_context log)" : expect, seen);
    // A pr_err refusal must then be among the kernel-log lines of the attempt (when readable).
    if (!err->in_fc_log && !err->message.empty() && !kernel.kernel_log.empty() &&
        std::find(kernel.kernel_log.begin(), kernel.kernel_log.end(), err->message) == kernel.kernel_log.end()) {
      std::string klog;
      for (const auto& m : kernel.kernel_log) klog += (klog.empty() ? "" : " | ") + m;
      return differ("message", err->message, klog);
    }
  } else if (!kernel.messages.empty() && !err->message.empty()) {
    if (std::find(kernel.messages.begin(), kernel.messages.end(), err->message) == kernel.messages.end())
      return differ("message", err->message, seen);
  }
  return v;
}

}  // namespace ovl::gen
