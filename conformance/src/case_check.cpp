// check_expectations: the `expect` lines of a case against an Observation.
#include <algorithm>
#include <cstdio>

#include "case_lexer.hpp"
#include "ovl/case_format.hpp"

namespace ovl {

namespace {

std::string list(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out + "]";
}

std::string octal(std::uint32_t m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", m);
  return buf;
}

template <class T, class F>
void field(std::vector<std::string>& out, const std::string& where, const char* name, const std::optional<T>& want,
           const std::optional<T>& got, F show) {
  if (!want) return;
  if (got && *got == *want) return;
  out.push_back(where + name + ": expected " + show(*want) + ", got " + (got ? show(*got) : std::string("nothing")));
}

}  // namespace

std::vector<std::string> check_expectations(const Case& c, const Observation& obs) {
  std::vector<std::string> out;
  std::string file = c.source_file.empty() ? c.name : c.source_file;
  auto id = [](const std::string& s) { return s; };
  for (const Expectation& e : c.expects) {
    std::string at = file + ":" + std::to_string(e.line) + ": expect ";
    if (e.mount) {
      std::string where = at + "mount: ";
      std::string got = obs.mount.ok ? "ok" : obs.mount.err;
      std::string want = e.mount->ok ? "ok" : e.mount->err;
      if (got != want)
        out.push_back(where + "expected " + want + ", got " + got +
                      (obs.mount.message.empty() ? "" : " (" + obs.mount.message + ")"));
      else if (!e.mount->message.empty() && obs.mount.message.find(e.mount->message) == std::string::npos)
        out.push_back(where + "message: expected one containing \"" + e.mount->message + "\", got \"" +
                      obs.mount.message + "\"");
      continue;
    }
    if (!e.entry) continue;
    const Entry& want = *e.entry;
    std::string where = at + want.path + ": ";
    if (!obs.mount.ok) {
      out.push_back(where + "the mount was refused (" + obs.mount.err + "), so the path cannot be checked");
      continue;
    }
    const Entry* got = obs.find(want.path);
    if (e.absent) {
      if (got) out.push_back(where + "expected absent, got an entry" + (got->err ? " with errno=" + *got->err : ""));
      continue;
    }
    bool lone_enoent = want.err && *want.err == "ENOENT";
    if (!got) {
      if (!lone_enoent) out.push_back(where + "expected an entry, got none (not listed and not found)");
      continue;
    }
    if (want.err || got->err) {
      std::string w = want.err ? "errno=" + *want.err : "lstat success";
      std::string g = got->err ? "errno=" + *got->err : "lstat success";
      if (w != g) {
        out.push_back(where + "errno: expected " + w + ", got " + g);
        continue;
      }
    }
    field(out, where, "type", want.type, got->type, [](NodeType t) { return std::string(type_name(t)); });
    field(out, where, "open_errno", want.open_err, got->open_err, id);
    field(out, where, "readdir_errno", want.readdir_err, got->readdir_err, id);
    field(out, where, "mode", want.mode, got->mode, octal);
    field(out, where, "size", want.size, got->size, [](std::uint64_t s) { return std::to_string(s); });
    if (want.content && !(got->content && *got->content == *want.content)) {
      std::string w = e.content_text ? "sha256(\"" + format::escape(*e.content_text) + "\")=" + want.content->substr(0, 12)
                                     : want.content->substr(0, 12);
      out.push_back(where + "content: expected " + w + "…, got " +
                    (got->content ? got->content->substr(0, 12) + "…" : std::string("nothing")) +
                    (got->open_err ? " (open_errno=" + *got->open_err + ")" : ""));
    }
    field(out, where, "target", want.target, got->target, [](const std::string& s) { return "\"" + format::escape(s) + "\""; });
    // A list the target omitted is an empty list (the schema omits empty fields).
    auto sorted = [](const std::optional<std::vector<std::string>>& want_list,
                     std::optional<std::vector<std::string>> v) {
      if (want_list && !v) v.emplace();
      if (v) std::sort(v->begin(), v->end());
      return v;
    };
    field(out, where, "children", sorted(want.children, want.children), sorted(want.children, got->children), list);
    field(out, where, "xattrs", sorted(want.xattrs, want.xattrs), sorted(want.xattrs, got->xattrs), list);
  }
  return out;
}

}  // namespace ovl
