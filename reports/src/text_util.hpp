// Text helpers shared by the writers (internal to ovl_reports): escaping for XML/HTML/Markdown.
#pragma once
#include <string>
#include <string_view>

namespace ovl::reports_detail {

/// Replaces bytes that are not valid UTF-8 with U+FFFD, so every writer emits valid UTF-8.
std::string valid_utf8(std::string_view s);
/// Escapes & < > " ' and replaces characters XML 1.0 forbids (controls other than \t \n \r)
/// with U+FFFD; valid for element text and attribute values, in XML and HTML alike.
std::string xml_escape(std::string_view s);
/// One line for a Markdown table cell: `|` escaped, newlines shown as "\n", controls as \xHH.
std::string md_cell(std::string_view s);
/// One line of KTAP/TAP text: newlines and controls shown as escapes, `#` replaced (a `#` would
/// start a directive in a test name).
std::string ktap_name(std::string_view s);
/// Shortens s to at most n bytes (on a UTF-8 boundary), marking the cut with "…".
std::string shorten(std::string_view s, std::size_t n);

}  // namespace ovl::reports_detail
