// The public entry points of the option language: the legacy mount(2) string, fsconfig
// sequences, and the translation of one into the other.
#include <cerrno>
#include <stdexcept>

#include "options_context.hpp"

namespace ovl {

MountResult parse_mount_options(std::string_view data, const ParseContext& ctx) {
  detail::FsContext fc(ctx, /*legacy=*/true);
  for (const std::string& opt : split_option_string(data)) {
    if (opt.empty()) continue;  // vfs_parse_monolithic_sep skips empty options
    detail::Param p;
    auto eq = opt.find('=');
    if (eq == 0) continue;  // "=value": no key, skipped silently
    if (eq == std::string::npos) {
      p.type = detail::ParamType::Flag;
      p.key = opt;
    } else {
      p.type = detail::ParamType::String;
      p.key = opt.substr(0, eq);
      p.value = opt.substr(eq + 1);
    }
    if (auto e = fc.set_param(p)) return *e;
  }
  return fc.create();
}

FsconfigOutcome run_fsconfig(const std::vector<FsconfigCall>& calls, const ParseContext& ctx) {
  detail::FsContext fc(ctx, /*legacy=*/false);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const FsconfigCall& c = calls[i];
    detail::Param p;
    p.key = c.key;
    p.value = c.value;
    switch (c.kind) {
      case FsconfigCall::Kind::Flag:
        if (!c.value.empty())
          throw std::invalid_argument("fsconfig call " + std::to_string(i + 1) + " (" + c.key +
                                      "): a flag call takes no value");
        p.type = detail::ParamType::Flag;
        break;
      case FsconfigCall::Kind::String:
        p.type = detail::ParamType::String;
        break;
      case FsconfigCall::Kind::Fd:
        p.type = detail::ParamType::File;
        break;
    }
    // fsconfig copies key and string value with strndup_user(…, 256).
    if (c.key.size() > kFsconfigMaxString ||
        (c.kind == FsconfigCall::Kind::String && c.value.size() > kFsconfigMaxString)) {
      MountError e = detail::refuse(EINVAL, "options.keys", "", false);
      return {e, i};
    }
    if (auto e = fc.set_param(p)) return {*e, i};
  }
  MountResult r = fc.create();
  if (std::holds_alternative<MountError>(r)) return {r, calls.size()};
  return {r, std::nullopt};
}

MountResult parse_fsconfig(const std::vector<FsconfigCall>& calls, const ParseContext& ctx) {
  return run_fsconfig(calls, ctx).result;
}

namespace {
std::string escape_backslashes(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

std::vector<FsconfigCall> to_fsconfig(const MountConfig& config, std::string_view legacy_data) {
  std::vector<FsconfigCall> out;
  using K = FsconfigCall::Kind;
  // In layer order: under the data-only-middle proposal data layers may sit between regular ones.
  for (const auto& l : config.lowers)
    out.push_back({K::String, l.role == Role::DataOnly ? "datadir+" : "lowerdir+", l.path});
  // upperdir and workdir are unescaped by the kernel even through fsconfig (R56).
  if (config.upperdir) out.push_back({K::String, "upperdir", escape_backslashes(*config.upperdir)});
  if (config.workdir) out.push_back({K::String, "workdir", escape_backslashes(*config.workdir)});
  for (const std::string& opt : split_option_string(legacy_data)) {
    if (opt.empty() || opt[0] == '=') continue;
    auto eq = opt.find('=');
    std::string key = opt.substr(0, eq);
    if (key == "lowerdir" || key == "lowerdir+" || key == "datadir+" || key == "upperdir" ||
        key == "workdir" || key == "source")
      continue;
    if (eq == std::string::npos)
      out.push_back({K::Flag, key, ""});
    else
      out.push_back({K::String, key, opt.substr(eq + 1)});
  }
  return out;
}

}  // namespace ovl
