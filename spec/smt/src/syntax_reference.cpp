// The C++ reference of the lowerdir syntaxes: serializers and the kernel's splitter (R51, R52).
#include "ovl/smt_syntax.hpp"

namespace ovl::smt {

std::string syntax_name(LowerdirSyntax s) {
  switch (s) {
    case LowerdirSyntax::Kernel: return "kernel";
    case LowerdirSyntax::Tail2023Middles: return "tail-2023+middles";
    case LowerdirSyntax::KernelMiddles: return "kernel+middles";
    case LowerdirSyntax::KernelNoEscapes: return "kernel-no-escapes";
  }
  return "?";
}

static bool special(char c) { return c == ':' || c == '\\' || c == ','; }

std::string serialize(const std::vector<LayerItem>& layers, LowerdirSyntax syntax) {
  std::string out;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (i > 0) {
      bool two = layers[i].data;
      if (syntax == LowerdirSyntax::Tail2023Middles && layers[i].data && layers[i - 1].data) two = false;
      out += two ? "::" : ":";
    }
    for (char c : layers[i].name) {
      if (syntax != LowerdirSyntax::KernelNoEscapes && special(c)) out += '\\';
      out += c;
    }
  }
  return out;
}

static std::string unescape(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      ++i;
      if (i >= raw.size()) break;  // a trailing lone backslash is dropped
    }
    out += raw[i];
  }
  return out;
}

SplitResult kernel_split(std::string_view value, bool allow_middles) {
  SplitResult r;
  // R51: the option string is cut at unescaped commas; a comma inside the value ends it.
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\') {
      ++i;
    } else if (value[i] == ',') {
      r.error = "unescaped ',' ends the lowerdir option at offset " + std::to_string(i);
      return r;
    }
  }
  if (value.empty()) {
    r.error = "empty lowerdir resets the layer list";
    return r;
  }
  if (value.front() == ':') {
    r.error = "cannot append lower layer";
    return r;
  }
  // R52: split at unescaped colons; a run of two marks the next layer data-only.
  std::vector<std::string> raw(1);
  int colons = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\') {
      raw.back() += c;
      // The escaped character resets the colon run; a lone backslash at the very end does not
      // (the kernel then reports trailing colons if a colon run precedes it).
      if (i + 1 < value.size()) {
        raw.back() += value[++i];
        colons = 0;
      }
      continue;
    }
    if (c == ':') {
      ++colons;
      bool next_colon = i + 1 < value.size() && value[i + 1] == ':';
      if (colons == 2 && next_colon) {
        r.error = "only single ':' or double '::' sequences of unescaped colons in lowerdir mount option allowed.";
        return r;
      }
      raw.emplace_back();
      continue;
    }
    raw.back() += c;
    colons = 0;
  }
  if (colons > 0) {
    r.error = "unescaped trailing colons in lowerdir mount option.";
    return r;
  }
  bool data = false, seen_data = false;
  for (std::size_t k = 0; k < raw.size(); ++k) {
    if (k > 0 && raw[k].empty()) {  // the empty component of a `::`
      data = true;
      continue;
    }
    std::string name = unescape(raw[k]);
    if (name.empty()) {
      r.error = "empty lowerdir";
      return r;
    }
    if (!data && seen_data && !allow_middles) {
      r.error = "regular lower layers cannot follow data lower layers";
      return r;
    }
    r.layers.push_back({name, data});
    seen_data = seen_data || data;
    data = false;
  }
  r.ok = true;
  return r;
}

std::vector<LayerItem> distinct_names(const std::vector<LayerItem>& reading) {
  std::vector<LayerItem> out = reading;
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::string renamed;
    for (char c : out[i].name) renamed += (c == 'a') ? static_cast<char>('a' + (i % 26)) : c;
    out[i].name = renamed;
  }
  return out;
}

}  // namespace ovl::smt
