// check-image (image_check.hpp).
#include "ovl/image_check.hpp"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>

#include "ovl/erofs_image.hpp"
#include "ovl/errnos.hpp"
#include "ovl/sandbox.hpp"

namespace ovl {
namespace {

// One level of mount-option escaping for a path inside lowerdir=.
std::string escape_path(const std::string& p) {
  std::string out;
  for (char ch : p) {
    if (ch == ':' || ch == ',' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

std::string absolute(const std::string& p) {
  char buf[PATH_MAX];
  if (!realpath(p.c_str(), buf)) throw ErofsError(p + ": " + errno_name(errno));
  return buf;
}

}  // namespace

const char* finding_kind_name(RedirectFinding::Kind k) { return k == RedirectFinding::Kind::Capture ? "capture" : "dangling"; }

std::vector<RedirectFinding> audit_redirects(const Prediction& p) {
  std::vector<RedirectFinding> out;
  if (!p.model) return out;
  const Model& m = *p.model;
  const Stack& st = m.stack();
  const std::string prefix = m.config().xattr_prefix();
  auto in_store = [&](const std::string& path) {
    for (const auto& l : st.layers)
      if (l.role == Role::DataOnly && l.tree) {
        const Node* n = l.tree->find(path);
        if (n && n->type == NodeType::Reg) return true;
      }
    return false;
  };
  for (const Entry& e : p.observation.entries) {
    if (e.err) {
      // lstat itself fails: a metacopy file of a regular layer whose redirect was reset (R39).
      for (const auto& l : st.layers) {
        if (l.role == Role::DataOnly || !l.tree) continue;
        const Node* n = l.tree->find(e.path);
        if (!n) continue;
        auto redirect = n->xattr(prefix + "redirect");
        if (n->type == NodeType::Reg && n->xattr(prefix + "metacopy") && redirect) {
          RedirectFinding f;
          f.kind = RedirectFinding::Kind::Dangling;
          f.path = e.path;
          f.redirect = std::string(*redirect);
          f.open_err = *e.err;
          f.object_exists = !f.redirect.empty() && f.redirect.front() == '/' && in_store(f.redirect);
          f.detail = "lstat gives " + *e.err +
                     (f.object_exists ? ": the object exists in the store, but a directory of a regular layer on the "
                                        "redirect's path reset the absolute redirect (R39)"
                                      : "");
          out.push_back(std::move(f));
        }
        break;
      }
      continue;
    }
    if (e.type != NodeType::Reg) continue;
    Resolution r = m.resolve(e.path);
    if (r.err != 0 || !r.metacopy || !r.meta) continue;
    RedirectFinding f;
    f.path = e.path;
    auto redirect = r.meta->xattr(prefix + "redirect");
    f.redirect = redirect ? std::string(*redirect) : "";
    bool absolute_redirect = !f.redirect.empty() && f.redirect.front() == '/';
    f.object_exists = absolute_redirect && in_store(f.redirect);
    if (r.open_err != 0) {
      f.kind = RedirectFinding::Kind::Dangling;
      f.open_err = errno_name(r.open_err);
      f.detail = f.object_exists
                     ? "the object exists in the store, but the redirect cannot reach it (open gives " + f.open_err +
                           "; a directory of a regular layer on the way reset the absolute redirect, R39)"
                     : "open gives " + f.open_err + (absolute_redirect ? ": no such object in the store" : "");
      out.push_back(std::move(f));
      continue;
    }
    if (!r.data_at || r.data_at->layer < 0 || static_cast<std::size_t>(r.data_at->layer) >= st.layers.size()) continue;
    const StackLayer& from = st.layers[static_cast<std::size_t>(r.data_at->layer)];
    if (from.role == Role::DataOnly || !absolute_redirect || !f.object_exists) continue;
    f.kind = RedirectFinding::Kind::Capture;
    f.data_from = from.name + ":" + r.data_at->path;
    f.detail = "the absolute redirect is served by the regular layer " + f.data_from +
               " although the object exists in the store (R38)";
    out.push_back(std::move(f));
  }
  return out;
}

ImageCheckResult check_images(const std::vector<std::string>& images_or_dirs, const std::string& objects,
                              const std::string& extra_options, const Semantics& sem, const TargetOptions& topts) {
  if (images_or_dirs.empty()) throw ErofsError("no image or directory given");
  Sandbox& sb = Sandbox::enter();
  ImageCheckResult res;
  std::vector<std::string> mounted;  // sandbox dirs to remove at the end
  std::string lowers;
  std::vector<std::pair<std::string, std::string>> names;  // mounted dir -> the argument
  try {
    for (std::size_t k = 0; k < images_or_dirs.size(); ++k) {
      const std::string& arg = images_or_dirs[k];
      struct stat st {};
      if (stat(arg.c_str(), &st) != 0) throw ErofsError(arg + ": " + errno_name(errno));
      std::string dir;
      if (S_ISDIR(st.st_mode)) {
        dir = absolute(arg);
        res.layers.push_back(dir);
      } else if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
        std::string base = sb.make_dir("image-" + std::to_string(k));
        mounted.push_back(base);
        mount_erofs(absolute(arg), base);
        dir = base;
        names.emplace_back(base, arg);
        res.layers.push_back(arg + " (mounted at " + base + ")");
      } else {
        throw ErofsError(arg + ": expected an EROFS image file or a directory");
      }
      lowers += (k ? ":" : "") + escape_path(dir);
    }
    struct stat ost {};
    if (stat(objects.c_str(), &ost) != 0 || !S_ISDIR(ost.st_mode))
      throw ErofsError(objects + ": expected the object store directory");
    res.options = "lowerdir=" + lowers + "::" + escape_path(absolute(objects));
    if (!extra_options.empty()) res.options += "," + extra_options;
    res.check = check_options_on_disk(res.options, {MountApi::Legacy}, sem, topts);
    res.findings = audit_redirects(res.check.prediction);
    for (auto& f : res.findings)  // name images as given, not by their mount directory
      for (const auto& [dir, arg] : names)
        if (f.data_from.rfind(dir + ":", 0) == 0) {
          f.detail.replace(f.detail.find(f.data_from), f.data_from.size(), arg + f.data_from.substr(dir.size()));
          f.data_from = arg + f.data_from.substr(dir.size());
        }
  } catch (...) {
    for (const auto& d : mounted) sb.remove_tree(d);
    throw;
  }
  for (const auto& d : mounted) sb.remove_tree(d);
  return res;
}

}  // namespace ovl
