// RapidCheck: parse_case(print_case(c)) equals c for generated Cases, and printing is a fixpoint.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "ovl/case_format.hpp"
#include "ovl/sha256.hpp"

#include <set>

namespace ovl {
namespace {

/// Names that the format can carry: any bytes but '/', NUL, "." and "..".
rc::Gen<std::string> gen_name() {
  return rc::gen::suchThat(
      rc::gen::oneOf(rc::gen::element<std::string>("a", "b", "dir", "x y", "q\"t", "back\\slash", "tab\tx", "=eq",
                                                   "c,d", "e:f", "ünï", "#h", "-"),
                     rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::inRange<char>(1, 127)))),
      [](const std::string& s) {
        return s != "." && s != ".." && s.find('/') == std::string::npos && s.find('\0') == std::string::npos;
      });
}

rc::Gen<std::string> gen_bytes() {
  return rc::gen::oneOf(rc::gen::element<std::string>("", "y", "x", "/a/b", "a/b", "//", std::string("\0\x01\xff", 3)),
                        rc::gen::container<std::string>(rc::gen::arbitrary<char>()));
}

rc::Gen<std::map<std::string, std::string>> gen_xattrs() {
  auto name = rc::gen::element<std::string>("trusted.overlay.opaque", "trusted.overlay.redirect",
                                            "trusted.overlay.metacopy", "trusted.overlay.whiteout",
                                            "user.overlay.opaque", "user.overlay.redirect", "user.overlay.metacopy",
                                            "user.overlay.whiteout", "trusted.overlay.overlay.opaque", "user.foo",
                                            "security.x", "trusted.overlay.origin");
  return rc::gen::container<std::map<std::string, std::string>>(rc::gen::resize(4, name), gen_bytes());
}

Node gen_leaf(const std::string& layer, const std::string& path) {
  Node n;
  int kind = *rc::gen::inRange(0, 7);
  switch (kind) {
    case 0: {
      bool dflt = *rc::gen::arbitrary<bool>();
      n = Node::file(dflt ? default_content(layer, path) : *gen_bytes());
      if (*rc::gen::arbitrary<bool>()) n.size = n.data.size() + *rc::gen::inRange<std::uint64_t>(0, 100000);
      break;
    }
    case 1: n = Node::symlink(*rc::gen::suchThat(gen_name(), [](const std::string& s) { return !s.empty(); })); break;
    case 2: n = Node::chardev(*rc::gen::inRange<std::uint32_t>(0, 3), *rc::gen::inRange<std::uint32_t>(0, 3)); break;
    case 3:
      n = Node::chardev(*rc::gen::inRange<std::uint32_t>(0, 300), *rc::gen::inRange<std::uint32_t>(0, 300));
      n.type = NodeType::Blk;
      break;
    case 4: n.type = NodeType::Fifo; break;
    case 5: n.type = NodeType::Sock; break;
    default: n = Node::dir(); break;
  }
  if (*rc::gen::inRange(0, 4) == 0) n.mode = *rc::gen::inRange<std::uint32_t>(0, 010000);
  if (*rc::gen::inRange(0, 4) == 0) n.uid = *rc::gen::inRange<std::uint32_t>(0, 70000);
  if (*rc::gen::inRange(0, 4) == 0) n.gid = *rc::gen::inRange<std::uint32_t>(0, 70000);
  n.xattrs = *gen_xattrs();
  return n;
}

void fill(Node& dir, const std::string& layer, const std::string& path, int depth) {
  int count = *rc::gen::inRange(0, depth > 2 ? 1 : 4);
  for (int i = 0; i < count; ++i) {
    std::string name = *gen_name();
    std::string child = join_path(path, name);
    Node n = gen_leaf(layer, child);
    if (n.is_dir()) fill(n, layer, child, depth + 1);
    dir.children[name] = std::make_unique<Node>(std::move(n));
  }
}

Case gen_case() {
  Case c;
  c.name = *rc::gen::element<std::string>("s/n", "data-only/x.y", "a/b/c-d_e+f");
  c.clauses = *rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("stack.order", "data.redirect.order", "x.y")));
  c.description = *rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("", "text", " leading space", "# hash", "tab\there"));
  if (*rc::gen::arbitrary<bool>()) c.min_kernel = KernelVersion{6, *rc::gen::inRange(0, 30)};
  if (*rc::gen::arbitrary<bool>()) c.semantics = {"data-only-middle"};
  if (*rc::gen::arbitrary<bool>()) {
    c.options = *rc::gen::element<std::string>("", "lowerdir=A:B", "lowerdir=A\\:x:B,upperdir=\"U\" ", " # x");
  } else {
    std::vector<FsconfigCall> calls;
    int n = *rc::gen::inRange(1, 4);
    for (int i = 0; i < n; ++i) {
      FsconfigCall f;
      f.kind = static_cast<FsconfigCall::Kind>(*rc::gen::inRange(0, 3));
      f.key = *rc::gen::element<std::string>("lowerdir+", "datadir+", "userxattr", "upperdir");
      if (f.kind != FsconfigCall::Kind::Flag) f.value = *rc::gen::element<std::string>("A", "a b", "x=y", "A:x", "");
      if (f.kind == FsconfigCall::Kind::Fd && f.value.empty()) f.value = "D";
      calls.push_back(f);
    }
    c.fsconfig = calls;
  }
  int layers = *rc::gen::inRange(0, 4);
  std::set<std::string> used;
  for (int i = 0; i < layers; ++i) {
    std::string name = *gen_name();
    if (!used.insert(name).second) continue;
    auto layer = std::make_shared<Layer>();
    if (*rc::gen::inRange(0, 4) == 0) {
      layer->root().mode = 0700;
      layer->root().xattrs = *gen_xattrs();
    }
    fill(layer->root(), name, "/", 0);
    c.layers.emplace_back(name, layer);
  }
  int expects = *rc::gen::inRange(0, 4);
  for (int i = 0; i < expects; ++i) {
    Expectation e;
    int kind = *rc::gen::inRange(0, 4);
    if (kind == 0) {
      e.mount = MountStatus{};
      if (*rc::gen::arbitrary<bool>()) {
        e.mount->ok = false;
        e.mount->err = "EINVAL";
        if (*rc::gen::arbitrary<bool>()) e.mount->message = *rc::gen::nonEmpty(gen_bytes());
      }
    } else {
      Entry en;
      en.path = "/" + *gen_name();
      if (kind == 1) {
        en.err = *rc::gen::element<std::string>("ENOENT", "EIO", "EPERM");
      } else if (kind == 2) {
        e.absent = true;
      } else {
        if (*rc::gen::arbitrary<bool>()) en.type = NodeType::Reg;
        if (*rc::gen::arbitrary<bool>()) en.size = *rc::gen::inRange<std::uint64_t>(0, 1000);
        if (*rc::gen::arbitrary<bool>()) en.mode = 0640;
        if (*rc::gen::arbitrary<bool>()) {
          e.content_text = *gen_bytes();
          en.content = sha256_hex(*e.content_text);
        }
        if (*rc::gen::arbitrary<bool>()) en.target = *gen_bytes();
        if (*rc::gen::arbitrary<bool>()) en.children = std::vector<std::string>{"a", "b"};
        if (*rc::gen::arbitrary<bool>()) en.xattrs = std::vector<std::string>{};
        if (*rc::gen::arbitrary<bool>()) en.open_err = "EIO";
      }
      e.entry = en;
    }
    c.expects.push_back(e);
  }
  return c;
}

RC_GTEST_PROP(CaseFormatProperty, PrintThenParseGivesTheSameCase, ()) {
  Case c = gen_case();
  std::string text = print_case(c);
  Case back = parse_case(text, "gen.ovl");
  std::string why;
  RC_ASSERT(same_case(back, c, &why));
  RC_ASSERT(print_case(back) == text);
}

}  // namespace
}  // namespace ovl
