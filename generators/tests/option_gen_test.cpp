// Properties of the option language over generated inputs (model only, no mounts): the parser
// never fails to answer, legacy strings and their fsconfig translation agree, escaping round-trips,
// the last of a repeated key wins, and the seeded generator is deterministic.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>

#include "ovl/option_gen.hpp"
#include "ovl/option_table.hpp"

namespace ovl::gen {
namespace {

/// "a/./n/" → "a/n"; ".." steps up. Enough for the scratch names.
std::string normalise(const std::string& p) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= p.size()) {
    std::size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string c = p.substr(i, j - i);
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!c.empty() && c != ".") {
      parts.push_back(c);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& c : parts) out += (out.empty() ? "" : "/") + c;
  return out;
}

/// The scratch of option_gen.hpp, on paper: its directories, files and symlinks.
ParseContext paper_scratch() {
  ParseContext pc;
  pc.probe = [](const std::string& path) {
    static const std::set<std::string> dirs = [] {
      std::set<std::string> s(OptionScratch::dirs().begin(), OptionScratch::dirs().end());
      s.insert(OptionScratch::fresh_dirs().begin(), OptionScratch::fresh_dirs().end());
      s.insert("");
      return s;
    }();
    PathInfo i;
    std::string n = normalise("layers/" + path);  // the scratch root is <base>/layers
    n = n == "layers" ? "" : n.rfind("layers/", 0) == 0 ? n.substr(7) : "../" + n;
    for (const auto& [link, target] : OptionScratch::symlinks())
      if (n == link || n.rfind(link + "/", 0) == 0) n = target + n.substr(link.size());
    i.canonical = "/s" + (n.empty() ? "" : "/" + n);
    i.fs = i.mnt = (n == OptionScratch::second_fs() || n.rfind(OptionScratch::second_fs() + "/", 0) == 0) ? 2 : 1;
    const auto& files = OptionScratch::files();
    if (std::find(files.begin(), files.end(), n) != files.end())
      i.is_dir = false;
    else if (!dirs.count(n))
      i.err = ENOENT;
    return i;
  };
  return pc;
}

RC_GTEST_PROP(OptionGen, EveryInputGetsAnAnswer, ()) {
  const OptionInput in = *genOptionInput();
  const ParseContext pc = paper_scratch();
  RC_TAG(in.family);
  MountResult r = parse_mount_options(in.legacy(), pc);
  if (auto* e = std::get_if<MountError>(&r)) {
    RC_ASSERT(e->err > 0);
    RC_ASSERT(e->clause.rfind("options.", 0) == 0 || e->clause.rfind("stack.", 0) == 0);
    RC_ASSERT(!e->message.empty());
  } else {
    const auto& c = std::get<MountConfig>(r);
    RC_ASSERT(c.mountinfo.rfind("ro", 0) == 0 || c.mountinfo.rfind("rw", 0) == 0);
    RC_ASSERT(!c.lowers.empty());
  }
  FsconfigOutcome f = run_fsconfig(in.calls(), pc);
  RC_ASSERT(std::holds_alternative<MountConfig>(f.result) == !f.failed_call.has_value());
}

RC_GTEST_PROP(OptionGen, LegacyAndItsFsconfigTranslationAgree, ()) {
  const OptionInput in = *genOptionInput();
  const ParseContext pc = paper_scratch();
  MountResult r = parse_mount_options(in.legacy(), pc);
  RC_PRE(std::holds_alternative<MountConfig>(r));
  const auto& legacy = std::get<MountConfig>(r);
  auto calls = to_fsconfig(legacy, in.legacy());
  RC_PRE(std::all_of(calls.begin(), calls.end(), [](const FsconfigCall& c) { return c.value.size() <= kFsconfigMaxString; }));
  MountResult t = parse_fsconfig(calls, pc);
  RC_ASSERT(std::holds_alternative<MountConfig>(t));
  const auto& c = std::get<MountConfig>(t);
  RC_ASSERT(c.lowers.size() == legacy.lowers.size());
  for (std::size_t i = 0; i < c.lowers.size(); ++i) {
    RC_ASSERT(c.lowers[i].path == legacy.lowers[i].path);
    RC_ASSERT(c.lowers[i].role == legacy.lowers[i].role);
  }
  RC_ASSERT(c.upperdir == legacy.upperdir);
  RC_ASSERT(c.workdir == legacy.workdir);
  RC_ASSERT(c.redirect == legacy.redirect);
  RC_ASSERT(c.metacopy == legacy.metacopy);
  RC_ASSERT(c.index == legacy.index);
  RC_ASSERT(c.nfs_export == legacy.nfs_export);
  RC_ASSERT(c.uuid == legacy.uuid);
  RC_ASSERT(c.fsync == legacy.fsync);
  RC_ASSERT(c.verity == legacy.verity);
  RC_ASSERT(c.userxattr == legacy.userxattr);
  RC_ASSERT(c.read_only == legacy.read_only);
}

RC_GTEST_PROP(OptionGen, EscapedNamesRoundTrip, ()) {
  const auto names = *rc::gen::unique<std::vector<std::string>>(
      rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::elementOf(std::string("ab:,\\= ")))));
  RC_PRE(names.size() >= 2 && names.size() <= 20);
  std::string value;
  for (const auto& n : names) {
    if (!value.empty()) value += ':';
    for (char c : n) {
      if (c == ':' || c == ',' || c == '\\') value += '\\';
      value += c;
    }
  }
  ParseContext pc;  // no probe: every path is a directory of its own
  MountResult r = parse_mount_options("lowerdir=" + value, pc);
  RC_ASSERT(std::holds_alternative<MountConfig>(r));
  const auto& c = std::get<MountConfig>(r);
  RC_ASSERT(c.lowers.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) RC_ASSERT(c.lowers[i].path == names[i]);
  RC_ASSERT(c.mountinfo == "ro,lowerdir=" + mountinfo_escape(value) + ",redirect_dir=on");
}

RC_GTEST_PROP(OptionGen, TheLastOfARepeatedKeyWins, ()) {
  const OptionInput in = *genOptionInput();
  RC_PRE(in.legacy().empty() || in.legacy().back() != '\\');  // a trailing backslash escapes our comma
  RC_PRE(in.legacy().size() + 64 < kLegacyDataMax);  // what we append must fit in the page
  std::vector<const OptionSpec*> enums;
  for (const auto& o : kOptionTable)
    if (o.kind == OptionKind::Enum) enums.push_back(&o);
  const OptionSpec& spec = **rc::gen::elementOf(enums);
  const auto values = option_values(spec);
  const std::string v1(*rc::gen::elementOf(values)), v2(*rc::gen::elementOf(values));
  const ParseContext pc = paper_scratch();
  const std::string k(spec.key);
  MountResult twice = parse_mount_options(in.legacy() + "," + k + "=" + v1 + "," + k + "=" + v2, pc);
  MountResult once = parse_mount_options(in.legacy() + "," + k + "=" + v2, pc);
  RC_ASSERT(twice.index() == once.index());
  if (auto* c = std::get_if<MountConfig>(&once)) {
    RC_ASSERT(std::get<MountConfig>(twice).mountinfo == c->mountinfo);
  } else {
    RC_ASSERT(std::get<MountError>(twice).message == std::get<MountError>(once).message);
  }
}

TEST(OptionGen, SeededInputsAreDeterministicAndCoverEveryFamily) {
  const auto a = generate_option_inputs(7, 400), b = generate_option_inputs(7, 400);
  ASSERT_EQ(a.size(), 400u);
  std::set<std::string> families;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].legacy(), b[i].legacy());
    families.insert(a[i].family);
  }
  EXPECT_EQ(families.size(), option_families().size());
  EXPECT_NE(generate_option_inputs(8, 1)[0].legacy() + generate_option_inputs(9, 1)[0].legacy(),
            generate_option_inputs(8, 1)[0].legacy() + generate_option_inputs(8, 1)[0].legacy());
}

TEST(OptionGen, TheSimplestChoicesGiveTheSimplestInput) {
  const std::vector<std::uint32_t> none;
  ListChooser ch(none);
  EXPECT_EQ(generate_option_input(ch).legacy(), "lowerdir=a:b");
}

TEST(OptionGen, CompareFindsEachKindOfDifference) {
  OptionInput in;
  in.options = {{"lowerdir", std::string("a:b"), false}};
  MountConfig cfg;
  cfg.mountinfo = "ro,lowerdir=a:b,redirect_dir=on";
  FsconfigOutcome accepted{cfg, std::nullopt};
  ObservedMount k;
  k.ok = true;
  k.mountinfo = cfg.mountinfo;
  EXPECT_TRUE(compare_option_outcome(in, false, accepted, k).agree);
  k.mountinfo = "ro,lowerdir=a:b";
  EXPECT_EQ(compare_option_outcome(in, false, accepted, k).field, "mountinfo");
  k.ok = false;
  k.err = EINVAL;
  EXPECT_EQ(compare_option_outcome(in, false, accepted, k).field, "accept");
  MountError e{EINVAL, "options.keys", "Bad value for 'x'", true};
  FsconfigOutcome refused{e, 0};
  k.stage = "lowerdir";
  k.messages = {"Bad value for 'x'"};
  k.messages_complete = true;
  EXPECT_TRUE(compare_option_outcome(in, true, refused, k).agree);
  k.messages = {"Bad value for 'y'"};
  EXPECT_EQ(compare_option_outcome(in, true, refused, k).field, "message");
  k.stage = "FSCONFIG_CMD_CREATE";
  EXPECT_EQ(compare_option_outcome(in, true, refused, k).field, "stage");
  k.err = ENOENT;
  EXPECT_EQ(compare_option_outcome(in, true, refused, k).field, "errno");
}

}  // namespace
}  // namespace ovl::gen
