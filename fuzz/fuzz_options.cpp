// libFuzzer target: legacy mount(2) option strings through the model's parser. Input: a context
// byte, a module-parameter byte, then the data string. Checks the splitting and escaping helpers,
// the outcome's invariants, and that an accepted string translates to an fsconfig sequence that
// the new API accepts with the same layers (generators' LegacyAndItsFsconfigTranslationAgree).
#include <cstdint>
#include <string>

#include "fuzz_context.hpp"
#include "ovl/options.hpp"
#include "ovl/semantics.hpp"

namespace {

using namespace ovl;

/// Undoes mountinfo_escape (\\ooo octal); `ok` is false on a malformed escape.
std::string unescape_octal(std::string_view s, bool& ok) {
  std::string out;
  ok = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 3 >= s.size()) {  // a backslash needs three octal digits after it
      ok = false;
      return out;
    }
    int v = 0;
    for (int k = 1; k <= 3; ++k) {
      char d = s[i + k];
      if (d < '0' || d > '7') {
        ok = false;
        return out;
      }
      v = v * 8 + (d - '0');
    }
    out += static_cast<char>(v);
    i += 3;
  }
  return out;
}

void check_text_helpers(std::string_view data) {
  std::string_view page = data.substr(0, kLegacyDataMax);
  page = page.substr(0, page.find('\0'));
  std::string joined;
  bool first = true;
  for (const std::string& opt : split_option_string(data)) {
    if (!first) joined += ',';
    joined += opt;
    first = false;
  }
  fuzz::check(joined == page, "split_option_string pieces joined by ',' give back the (truncated) string");

  std::string esc = mountinfo_escape(data);
  fuzz::check(esc.find_first_of(", \t\n") == std::string::npos, "mountinfo_escape leaves no separator", esc);
  bool ok = false;
  fuzz::check(unescape_octal(esc, ok) == data && ok, "mountinfo_escape is reversible", esc);

  if (auto v = KernelVersion::parse(data)) {
    auto again = KernelVersion::parse(v->str());
    fuzz::check(again && *again == *v, "KernelVersion::parse(str()) round-trips", v->str());
  }
  if (auto s = Semantics::parse(data, KernelVersion{6, 18})) {
    fuzz::check(s->kernel == (KernelVersion{6, 18}), "Semantics::parse keeps the level it is given");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  fuzz::FuzzInput in(bytes, size);
  const std::uint8_t cb = in.byte();
  const std::uint8_t mb = in.byte();
  const ParseContext ctx = fuzz::context_from(cb, mb);
  const std::string data(in.rest());

  check_text_helpers(data);
  const MountResult r = parse_mount_options(data, ctx);
  fuzz::check_outcome(r, data);
  const auto* cfg = std::get_if<MountConfig>(&r);
  if (!cfg) return 0;

  if (!ctx.semantics.has_lowerdir_plus()) return 0;  // the translation needs lowerdir+ (6.7)
  const std::vector<FsconfigCall> calls = to_fsconfig(*cfg, data);
  for (const auto& c : calls)
    if (c.value.size() > kFsconfigMaxString || c.key.size() > kFsconfigMaxString) return 0;  // not expressible
  const MountResult t = parse_fsconfig(calls, ctx);
  fuzz::check_outcome(t, data);
  const auto* via = std::get_if<MountConfig>(&t);
  if (!via) fuzz::fail("the fsconfig translation of an accepted string is accepted", data + "\n-> " + std::get<MountError>(t).message);
  fuzz::check(via->lowers.size() == cfg->lowers.size(), "translation keeps the number of lowers", data);
  for (std::size_t i = 0; i < via->lowers.size(); ++i) {
    fuzz::check(via->lowers[i].path == cfg->lowers[i].path, "translation keeps each lower path", data);
    fuzz::check(via->lowers[i].role == cfg->lowers[i].role, "translation keeps each lower role", data);
  }
  fuzz::check(via->upperdir == cfg->upperdir && via->workdir == cfg->workdir, "translation keeps upper and work",
              data);
  fuzz::check(via->redirect == cfg->redirect && via->metacopy == cfg->metacopy && via->index == cfg->index &&
                  via->nfs_export == cfg->nfs_export && via->verity == cfg->verity &&
                  via->userxattr == cfg->userxattr && via->fsync == cfg->fsync && via->uuid == cfg->uuid &&
                  via->read_only == cfg->read_only,
              "translation keeps every option", data + "\n" + cfg->mountinfo + "\n" + via->mountinfo);
  return 0;
}
