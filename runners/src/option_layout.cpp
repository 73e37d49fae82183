// The light option reading of option_layout.hpp.
#include "ovl/option_layout.hpp"

namespace ovl {
namespace {

// Splits a lowerdir= value at unescaped ':' ("::" marks the next part data-only). Returns
// false for forms the kernel refuses (empty parts other than one "::", trailing colons …).
bool split_lowerdir(std::string_view v, std::vector<std::string>& lowers, std::vector<std::string>& data) {
  std::vector<std::pair<std::string, bool>> parts;  // raw part, data-only
  std::string cur;
  bool next_data = false;
  std::size_t i = 0;
  while (i < v.size()) {
    char c = v[i];
    if (c == '\\' && i + 1 < v.size()) {
      cur += c;
      cur += v[i + 1];
      i += 2;
      continue;
    }
    if (c == ':') {
      std::size_t n = 0;
      while (i + n < v.size() && v[i + n] == ':') ++n;
      if (n > 2 || cur.empty()) return false;
      parts.emplace_back(cur, next_data);
      cur.clear();
      next_data = n == 2;
      i += n;
      if (i == v.size()) return false;  // trailing colons
      continue;
    }
    cur += c;
    ++i;
  }
  if (cur.empty()) return false;
  parts.emplace_back(cur, next_data);
  bool seen_data = false;
  for (const auto& part : parts) {
    if (seen_data && !part.second) return false;  // regular after data-only
    seen_data = seen_data || part.second;
  }
  for (const auto& [raw, is_data] : parts) (is_data ? data : lowers).push_back(unescape_option(raw));
  return true;
}

std::pair<std::string, std::optional<std::string>> key_value(const std::string& opt) {
  auto eq = opt.find('=');
  if (eq == std::string::npos) return {opt, std::nullopt};
  return {opt.substr(0, eq), opt.substr(eq + 1)};
}

}  // namespace

std::vector<std::string> split_legacy_options(std::string_view data) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\\' && i + 1 < data.size()) {
      cur += data[i];
      cur += data[++i];
    } else if (data[i] == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += data[i];
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string unescape_option(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      if (i + 1 < s.size()) out += s[++i];
    } else {
      out += s[i];
    }
  }
  return out;
}

OptionLayout layout_of_options(std::string_view data) {
  OptionLayout l;
  for (const auto& opt : split_legacy_options(data)) {
    auto [key, value] = key_value(opt);
    if (!value) continue;
    if (key == "lowerdir") {
      l.lowers.clear();
      l.data.clear();
      l.has_lowerdir_plus = false;
      if (!value->empty()) split_lowerdir(*value, l.lowers, l.data);
    } else if (key == "lowerdir+") {
      l.lowers.push_back(*value);  // taken literally (R54)
      l.has_lowerdir_plus = true;
    } else if (key == "datadir+") {
      l.data.push_back(*value);
      l.has_lowerdir_plus = true;
    } else if (key == "upperdir") {
      l.upper = unescape_option(*value);
    } else if (key == "workdir") {
      l.work = unescape_option(*value);
    }
  }
  return l;
}

OptionLayout layout_of_calls(const std::vector<FsconfigCall>& calls) {
  OptionLayout l;
  for (const auto& c : calls) {
    if (c.kind == FsconfigCall::Kind::Flag) continue;
    if (c.key == "lowerdir") {
      l.lowers.clear();
      l.data.clear();
      if (!c.value.empty()) split_lowerdir(c.value, l.lowers, l.data);
    } else if (c.key == "lowerdir+") {
      l.lowers.push_back(c.value);
      l.has_lowerdir_plus = true;
    } else if (c.key == "datadir+") {
      l.data.push_back(c.value);
      l.has_lowerdir_plus = true;
    } else if (c.key == "upperdir") {
      l.upper = c.kind == FsconfigCall::Kind::Fd ? c.value : unescape_option(c.value);
    } else if (c.key == "workdir") {
      l.work = c.kind == FsconfigCall::Kind::Fd ? c.value : unescape_option(c.value);
    }
  }
  return l;
}

std::vector<FsconfigCall> fsconfig_from_legacy(std::string_view data) {
  std::vector<FsconfigCall> out;
  bool has_plus = false;  // mixed with lowerdir+/datadir+: keep lowerdir= as the kernel sees it (R54)
  for (const auto& opt : split_legacy_options(data)) {
    auto key = key_value(opt).first;
    has_plus = has_plus || key == "lowerdir+" || key == "datadir+";
  }
  for (const auto& opt : split_legacy_options(data)) {
    auto [key, value] = key_value(opt);
    if (!value) {
      out.push_back({FsconfigCall::Kind::Flag, key, ""});
      continue;
    }
    if (key == "lowerdir" && !has_plus) {
      // The last lowerdir= wins (R52): drop the layers of earlier ones.
      std::erase_if(out, [](const FsconfigCall& c) {
        return c.key == "lowerdir+" || c.key == "datadir+" || c.key == "lowerdir";
      });
      std::vector<std::string> lowers, datas;
      if (!value->empty() && split_lowerdir(*value, lowers, datas)) {
        for (auto& p : lowers) out.push_back({FsconfigCall::Kind::String, "lowerdir+", p});
        for (auto& p : datas) out.push_back({FsconfigCall::Kind::String, "datadir+", p});
        continue;
      }
    }
    out.push_back({FsconfigCall::Kind::String, key, *value});
  }
  return out;
}

}  // namespace ovl
