// A bounded stack as a conformance case: what the kernel targets mount to confirm a witness.
#include "ovl/smt_theorems.hpp"

namespace ovl::smt {

std::string chain_path(int depth) {
  std::string p;
  for (int i = 0; i < depth; ++i) p += "/a";
  return p.empty() ? "/" : p;
}

namespace {
std::string layer_name(const BoundedStack& s, int l) {
  switch (s.roles[l]) {
    case SlotRole::Upper: return "U";
    case SlotRole::Lower: return "L" + std::to_string(l);
    case SlotRole::Data: return "D" + std::to_string(l);
    case SlotRole::Unused: break;
  }
  return "";
}
}  // namespace

std::string bounded_content(const BoundedStack& s, int slot, int depth) {
  const BoundedEntry& e = s.at[slot][depth - 1];
  if (e.empty) return "";
  return layer_name(s, slot) + ":" + chain_path(depth) + "\n";
}

std::string bounded_options(const BoundedStack& s) {
  std::string lower;
  bool upper = false;
  for (std::size_t l = 0; l < s.roles.size(); ++l) {
    SlotRole r = s.roles[l];
    if (r == SlotRole::Upper) upper = true;
    if (r != SlotRole::Lower && r != SlotRole::Data) continue;
    if (!lower.empty()) lower += r == SlotRole::Data ? "::" : ":";
    lower += layer_name(s, static_cast<int>(l));
  }
  std::string o = "lowerdir=" + lower;
  if (upper) o += ",upperdir=U,workdir=W";
  if (s.metacopy_on) o += ",metacopy=on";
  if (!s.follow) o += ",redirect_dir=nofollow";
  return o;
}

Case bounded_case(const BoundedStack& s, const std::string& name, const std::vector<std::string>& clauses,
                  const Semantics& sem) {
  Case c;
  c.name = name;
  c.clauses = clauses;
  c.options = bounded_options(s);
  if (sem.data_only_middle) c.semantics.push_back("data-only-middle");
  if (sem.dslash_redirect) c.semantics.push_back("dslash-redirect");
  const std::string P = "trusted.overlay.";
  bool upper = false;
  for (std::size_t l = 0; l < s.roles.size(); ++l) {
    if (s.roles[l] == SlotRole::Unused) continue;
    if (s.roles[l] == SlotRole::Upper) upper = true;
    auto layer = std::make_shared<Layer>();
    for (int d = 1; d <= s.bound.depth; ++d) {
      const BoundedEntry& e = s.at[l][static_cast<std::size_t>(d - 1)];
      Node n;
      switch (e.kind) {
        case EntryKind::None: continue;
        case EntryKind::Dir: n = Node::dir(); break;
        case EntryKind::Reg: n = Node::file(bounded_content(s, static_cast<int>(l), d)); break;
        case EntryKind::Lnk: n = Node::symlink("nowhere"); break;
        case EntryKind::Whiteout: n = Node::chardev(0, 0); break;
        case EntryKind::Chr: n = Node::chardev(1, 3); break;
        case EntryKind::Fifo:
          n.type = NodeType::Fifo;
          break;
      }
      if (e.opaque == OpaqueVal::Y) n.xattrs[P + "opaque"] = "y";
      if (e.opaque == OpaqueVal::X) n.xattrs[P + "opaque"] = "x";
      switch (e.redirect) {
        case RedirectVal::None: break;
        case RedirectVal::Invalid: n.xattrs[P + "redirect"] = "a/b"; break;
        case RedirectVal::RelMissing: n.xattrs[P + "redirect"] = "b"; break;
        case RedirectVal::RelSame: n.xattrs[P + "redirect"] = "a"; break;
        case RedirectVal::Abs: n.xattrs[P + "redirect"] = chain_path(e.target); break;
        case RedirectVal::DSlash: n.xattrs[P + "redirect"] = "/" + chain_path(e.target); break;
      }
      if (e.metacopy == MetacopyVal::Plain) n.xattrs[P + "metacopy"] = "";
      if (e.metacopy == MetacopyVal::TooSmall) n.xattrs[P + "metacopy"] = std::string("\x01\x02", 2);
      if (e.xwhiteout) n.xattrs[P + "whiteout"] = "";
      // Depth order: a directory is put before the entries below it.
      layer->put(chain_path(d), std::move(n));
    }
    c.layers.emplace_back(layer_name(s, static_cast<int>(l)), layer);
  }
  if (upper) c.layers.emplace_back("W", std::make_shared<Layer>());
  return c;
}

}  // namespace ovl::smt
