// How a child sends a JSON result to its parent: CBOR bytes, not JSON text. JSON text must be
// valid UTF-8, and names on a layer need not be (a file named "bad\xff" made the JSON dump
// throw, turning the case into a harness Error); CBOR carries the bytes as they are.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ovl {

/// The bytes a child writes for j.
inline std::string to_wire(const nlohmann::json& j) {
  std::string out;
  nlohmann::json::to_cbor(j, out);
  return out;
}

/// The JSON value back from a child's bytes; throws nlohmann::json::parse_error when malformed.
inline nlohmann::json from_wire(const std::string& bytes) { return nlohmann::json::from_cbor(bytes); }

}  // namespace ovl
