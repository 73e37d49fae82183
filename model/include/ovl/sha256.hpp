// SHA-256, for the Observation's `content` field (pure C++, no library).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace ovl {

/// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  /// Appends n zero bytes (sparse tails) without materialising them.
  void update_zeros(std::uint64_t n);
  /// Lower-case hex of the digest; the object must not be updated afterwards.
  std::string hex();

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::uint64_t len_ = 0;
  std::size_t used_ = 0;
};

/// Hex SHA-256 of bytes followed by zeros up to total size (size < bytes.size() is treated as bytes.size()).
std::string sha256_hex(std::string_view bytes, std::uint64_t total_size = 0);

}  // namespace ovl
