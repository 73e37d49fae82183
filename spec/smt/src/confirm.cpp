// confirm_witness: a witness case through a target, compared with the witness's expectation.
#include "ovl/smt_confirm.hpp"

#include "ovl/kernel_target.hpp"

namespace ovl::smt {

std::vector<std::unique_ptr<Target>> kernel_targets() {
  std::vector<std::unique_ptr<Target>> t;
  t.push_back(std::make_unique<KernelTarget>(MountApi::Legacy));
  t.push_back(std::make_unique<KernelTarget>(MountApi::Fsconfig));
  return t;
}

Confirmation confirm_witness(const TheoremRow& row, Target& target) {
  Confirmation c;
  c.target = target.name();
  if (!row.witness_case) {
    c.status = "skipped";
    c.detail = "no witness";
    return c;
  }
  const Case& cs = *row.witness_case;
  if (auto why = target.unavailable()) {
    c.status = "skipped";
    c.detail = *why;
    return c;
  }
  if (auto why = target.cannot_run(cs)) {
    c.status = "skipped";
    c.detail = *why;
    return c;
  }
  TargetOutcome out = target.run(cs);
  if (out.kind == TargetOutcome::Kind::Skipped) {
    c.status = "skipped";
    c.detail = out.reason;
    return c;
  }
  if (out.kind == TargetOutcome::Kind::Error) {
    c.status = "error";
    c.detail = out.reason;
    return c;
  }
  const Observation& o = out.observation;
  bool all = !cs.expects.empty();
  std::string seen;
  for (const Expectation& e : cs.expects) {
    if (e.mount) {
      bool ok = o.mount.ok == e.mount->ok && (e.mount->ok || o.mount.err == e.mount->err);
      seen += o.mount.ok ? "mount ok" : "mount " + o.mount.err + " (" + o.mount.message + ")";
      all = all && ok;
    }
    if (e.entry) {
      if (!o.mount.ok) {
        seen += "mount " + o.mount.err + " (" + o.mount.message + ")";
        all = false;
        continue;
      }
      const Entry* got = o.find(e.entry->path);
      if (!got) {
        seen += e.entry->path + " absent";
        all = false;
        continue;
      }
      if (e.entry->err) {
        seen += e.entry->path + (got->err ? " errno " + *got->err : " resolves");
        all = all && got->err == e.entry->err;
      } else {
        bool same = !got->err && got->type == e.entry->type && (!e.entry->content || got->content == e.entry->content);
        seen += e.entry->path + (got->err ? " errno " + *got->err : same ? " reads the predicted bytes" : " reads other bytes");
        if (got->open_err) seen += " (open " + *got->open_err + ")";
        all = all && same;
      }
    }
  }
  c.status = all ? "confirmed" : "NOT confirmed";
  c.detail = seen;
  return c;
}

}  // namespace ovl::smt
