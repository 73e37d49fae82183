#include "ovl/semantics.hpp"

#include <charconv>

namespace ovl {

std::string KernelVersion::str() const { return std::to_string(major) + "." + std::to_string(minor); }

std::optional<KernelVersion> KernelVersion::parse(std::string_view t) {
  KernelVersion v;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v.major);
  if (ec != std::errc() || p == t.data() + t.size() || *p != '.') return std::nullopt;
  auto [q, ec2] = std::from_chars(p + 1, t.data() + t.size(), v.minor);
  if (ec2 != std::errc() || q == p + 1) return std::nullopt;
  if (q != t.data() + t.size() && *q != '.' && *q != '-' && *q != '+') return std::nullopt;
  if (v.major < 2 || v.minor < 0) return std::nullopt;
  return v;
}

std::string Semantics::name() const {
  std::string n = "kernel-" + kernel.str();
  if (data_only_middle) n += "+data-only-middle";
  if (dslash_redirect) n += "+dslash-redirect";
  return n;
}

std::optional<Semantics> Semantics::parse(std::string_view text, KernelVersion level) {
  Semantics s;
  s.kernel = level;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t j = text.find(',', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view part = text.substr(i, j - i);
    if (part == "kernel") {
    } else if (part == "data-only-middle") {
      s.data_only_middle = true;
    } else if (part == "dslash-redirect") {
      s.dslash_redirect = true;
    } else {
      return std::nullopt;
    }
    i = j + 1;
  }
  return s;
}

}  // namespace ovl
