#include "ovl/stack.hpp"

#include "ovl/case.hpp"

namespace ovl {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::Upper: return "upper";
    case Role::Lower: return "lower";
    case Role::DataOnly: return "data-only";
  }
  return "?";
}

std::size_t Stack::count(Role r) const {
  std::size_t n = 0;
  for (const auto& l : layers) n += l.role == r;
  return n;
}

const Layer* Case::layer(std::string_view name) const {
  for (const auto& [n, l] : layers)
    if (n == name) return l.get();
  return nullptr;
}

}  // namespace ovl
