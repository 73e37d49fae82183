// Metamorphic properties of the model (label unit): relations between the predictions for two
// related cases that must hold whatever the individual answers are. Each was seen failing on a
// deliberately broken model (see README.md, "Properties and the breaks that caught them").
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "ovl/batch.hpp"
#include "ovl/rc_gen.hpp"
#include "props_util.hpp"

namespace ovl::gen {
namespace {
using testing::differences;
using testing::model_obs;
using testing::text;

bool is_interpreted(const GenCase& g, const std::string& name, const char* what) {
  return name == g.prefix() + what;
}

/// [stack.data-only-invisible] Data-only layers never add a visible name, and contribute
/// nothing but bytes: emptying every data-only layer changes at most `content` and
/// `open_errno` of regular files (stat never looks into them, R37).
RC_GTEST_PROP(ModelProps, DataOnlyLayersOnlyContributeBytes, ()) {
  GenCase g = *case_gen();
  RC_PRE(g.count(Role::DataOnly) > 0);
  GenCase emptied = g;
  for (auto& l : emptied.layers)
    if (l.role == Role::DataOnly) l.entries.clear();
  Observation a = model_obs(g), b = model_obs(emptied);
  auto strip = [](Observation& o) {
    for (auto& e : o.entries) {
      e.content.reset();
      e.open_err.reset();
    }
  };
  strip(a);
  strip(b);
  RC_ASSERT(a.mount == b.mount);
  std::string d = differences(b, a);
  if (!d.empty()) RC_FAIL(describe(g) + "\n" + d);
}

/// [stack.order] An empty regular lower added below the lowest one changes nothing — once the
/// lowest layer's own overlay xattrs (opaque, redirect, metacopy) are gone: those are exactly
/// what the lowest layer ignores or treats specially (R13: xattrs of the last layer are not
/// read; R40: only the lowest layer may redirect into data-only layers without metacopy=on),
/// and they would take effect once it is not the lowest any more.
RC_GTEST_PROP(ModelProps, EmptyBottomLayerChangesNothing, ()) {
  GenCase g = *case_gen();
  std::size_t lowest = 0;
  for (std::size_t i = 0; i < g.layers.size(); ++i)
    if (g.layers[i].role == Role::Lower) lowest = i;
  for (auto& e : g.layers[lowest].entries)
    std::erase_if(e.xattrs, [&](const auto& kv) {
      return is_interpreted(g, kv.first, "opaque") || is_interpreted(g, kv.first, "redirect") ||
             is_interpreted(g, kv.first, "metacopy");
    });
  GenCase more = g;
  more.layers.insert(more.layers.begin() + static_cast<std::ptrdiff_t>(lowest) + 1, GenLayer{"E", Role::Lower, {}});
  Observation a = model_obs(g), b = model_obs(more);
  RC_PRE(a.mount.ok);  // a refused mount (R5: one lower, no upper) may be accepted with two
  RC_ASSERT(b.mount.ok);
  std::string d = differences(a, b);
  if (!d.empty()) RC_FAIL(describe(g) + "\n" + d);
}

/// [whiteout.chardev] A whiteout put at a visible path p in the topmost layer hides p and
/// everything below it, and changes nothing else but p's parent listing. (Redirects found in
/// the topmost layer continue in the layers below it, so nothing else can reach the new
/// whiteout.) p is taken where the topmost layer already has p's parent as a directory.
RC_GTEST_PROP(ModelProps, WhiteoutsHide, ()) {
  GenCase g = *case_gen();
  Observation before = model_obs(g);
  RC_PRE(before.mount.ok);
  Case c = to_case(g);
  const Layer& top = *c.layers.front().second;
  std::vector<std::string> candidates;
  for (const auto& e : before.entries) {
    if (e.path == "/" || e.err) continue;
    std::string parent = e.path.substr(0, e.path.rfind('/'));
    if (parent.empty()) parent = "/";
    const Node* pn = top.find(parent);
    if (pn && pn->is_dir()) candidates.push_back(e.path);
  }
  RC_PRE(!candidates.empty());
  std::string p = *rc::gen::elementOf(candidates);
  std::string parent = p.substr(0, p.rfind('/'));
  if (parent.empty()) parent = "/";
  GenCase w = g;
  auto& es = w.layers.front().entries;
  std::erase_if(es, [&](const GenEntry& e) { return e.path == p || e.path.rfind(p + "/", 0) == 0; });
  GenEntry wh;
  wh.path = p;
  wh.type = NodeType::Chr;
  es.push_back(wh);
  Observation after = model_obs(w);
  RC_ASSERT(after.mount.ok);
  const Entry* pe = after.find(p);
  if (pe && pe->err != "ENOENT") RC_FAIL(describe(w) + "\n" + p + " is still visible:\n" + text(after));
  auto outside = [&](const Observation& o) {
    Observation r;
    r.mount = o.mount;
    for (const auto& e : o.entries)
      if (e.path != p && e.path != parent && e.path.rfind(p + "/", 0) != 0) r.entries.push_back(e);
    return r;
  };
  for (const auto& e : after.entries)
    if (e.path.rfind(p + "/", 0) == 0) RC_FAIL(describe(w) + "\n" + e.path + " below the whiteout is visible");
  std::string d = differences(outside(before), outside(after));
  if (!d.empty()) RC_FAIL(describe(w) + "\nwhiteout at " + p + " changed:\n" + d);
}

/// Swaps the trusted. and user. namespaces of an xattr name.
std::string swap_ns(const std::string& name) {
  if (name.rfind("trusted.", 0) == 0) return "user." + name.substr(8);
  if (name.rfind("user.", 0) == 0) return "trusted." + name.substr(5);
  return name;
}

/// [xattr.namespace] trusted.overlay.* under the default options and user.overlay.* under
/// userxattr are the same language: swapping the two namespaces in every layer and adding
/// userxattr swaps them in the Observation and changes nothing else. userxattr forces
/// redirect_dir=nofollow and metacopy=off (R47, R59), so the trusted side runs with those two
/// set explicitly.
RC_GTEST_PROP(ModelProps, NamespacesAreSymmetricUnderUserxattr, ()) {
  GenParams p;
  p.force_no_userxattr = true;
  p.force_nofollow_nometacopy = true;
  GenCase g = *case_gen(p);
  // user.* xattrs exist on regular files and directories only: keep the others out of both sides
  for (auto& l : g.layers)
    for (auto& e : l.entries)
      if (e.type != NodeType::Dir && e.type != NodeType::Reg) e.xattrs.clear();
  GenCase u = g;
  u.options.userxattr = true;
  for (auto& l : u.layers)
    for (auto& e : l.entries) {
      std::map<std::string, std::string> x;
      for (const auto& [k, v] : e.xattrs) x[swap_ns(k)] = v;
      e.xattrs = std::move(x);
    }
  Observation a = model_obs(g), b = model_obs(u);
  for (auto& e : a.entries)
    if (e.xattrs) {
      for (auto& n : *e.xattrs) n = swap_ns(n);
    }
  a.normalize();
  RC_ASSERT(a.mount.ok == b.mount.ok);
  RC_ASSERT(a.mount.err == b.mount.err);
  std::string d = differences(a, b) + differences(b, a);
  if (!d.empty()) RC_FAIL(describe(g) + "\n" + d);
}

/// The batching transform (batch.hpp) is sound in the model: the prediction for a batch,
/// restricted to case k, is the prediction for case k alone.
RC_GTEST_PROP(ModelProps, BatchRestrictedToACaseIsTheCase, ()) {
  std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  std::size_t n = *rc::gen::inRange<std::size_t>(2, 12);
  auto cases = generate_cases(seed, n, GenParams{.shape_run = 16});
  for (const auto& b : plan_batches(cases, 16)) {
    if (b.size() < 2) continue;
    std::vector<const GenCase*> members;
    for (std::size_t i : b) members.push_back(&cases[i]);
    Observation whole = model_obs(make_batch(members));
    for (std::size_t k = 0; k < b.size(); ++k) {
      Observation alone = model_obs(cases[b[k]]);
      Observation part = extract(whole, k);
      if (!(alone.mount == part.mount && alone.entries == part.entries)) {
        std::string unspec;
        for (const auto& e : alone.entries) {
          const Entry* o = part.find(e.path);
          if (o && o->unspecified != e.unspecified)
            unspec += e.path + ": unspecified alone " + nlohmann::json(e.unspecified).dump() + ", in the batch " +
                      nlohmann::json(o->unspecified).dump() + "\n";
        }
        RC_FAIL(describe(cases[b[k]]) + "\nalone vs in the batch:\n" + differences(alone, part) +
                differences(part, alone) + unspec);
      }
    }
  }
}

}  // namespace
}  // namespace ovl::gen
