// Shared by the fuzz targets: a cursor over libFuzzer's bytes, and the abort used for a broken
// invariant (libFuzzer treats the abort as a crash and saves the input).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ovl::fuzz {

/// Reads libFuzzer's input front to back; past the end every read gives zeros / empty strings.
class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}
  /// One byte, or 0 at the end.
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  /// Up to n bytes.
  std::string bytes(std::size_t n) {
    std::string out(rest_.substr(0, n));
    rest_.remove_prefix(out.size());
    return out;
  }
  /// A string whose length is the next byte.
  std::string short_string() { return bytes(byte()); }
  /// Everything not read yet.
  std::string_view rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

/// A broken invariant: print what and why, then abort so libFuzzer records the input.
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// Checks an invariant; on failure aborts naming it.
inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

}  // namespace ovl::fuzz
