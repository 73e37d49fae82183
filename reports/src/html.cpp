// index.html: one self-contained page (no network): the clause × target matrix, the failures with
// their diff tables, clause text and reproducers, and filters by section, target and verdict.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "ovl/report_writers.hpp"
#include "ovl/tally.hpp"
#include "text_util.hpp"

namespace ovl {

using reports_detail::xml_escape;

namespace {

constexpr std::size_t kMaxEntriesShown = 300;

const char* kStyle = R"css(
:root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--skip:#6e7781;--skip-bg:#eaeef2;
--error:#9a6700;--error-bg:#fff8c5;--line:#d0d7de}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:1em 2em;max-width:1400px;color:#1f2328}
h1{font-size:1.6em;margin:.2em 0}h2{border-bottom:1px solid var(--line);padding-bottom:.2em;margin-top:1.6em}
code,pre{font:12.5px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
.meta{color:#57606a}
table{border-collapse:collapse;margin:.5em 0}
th,td{border:1px solid var(--line);padding:.25em .6em;text-align:left;vertical-align:top}
thead th{background:#f6f8fa;position:sticky;top:0}
td.num{text-align:right}
.pass{background:var(--pass-bg);color:var(--pass)}.fail{background:var(--fail-bg);color:var(--fail);font-weight:600}
.skip{background:var(--skip-bg);color:var(--skip)}.error{background:var(--error-bg);color:var(--error);font-weight:600}
.none{color:#8c959f}
.badge{display:inline-block;padding:0 .5em;border-radius:1em;font-size:.85em;border:1px solid currentColor}
#matrix td.cell{text-align:center;min-width:6em;white-space:nowrap}
#matrix tr.section-row th{background:#f6f8fa;font-weight:600}
#matrix .title{color:#57606a;font-weight:normal}
#filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid var(--line);z-index:2}
#filters label{margin-right:1.2em}
article.failure{border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:4px;padding:.3em 1em;margin:1em 0}
article.failure[data-verdict=error]{border-left-color:var(--error)}
article.failure h3{margin:.4em 0}
table.diff td,table.obs td{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px;word-break:break-all}
table.obs tr.differs td{background:var(--fail-bg)}
pre.repro{background:#f6f8fa;border:1px solid var(--line);padding:.6em;overflow-x:auto;max-height:30em}
.clause-body p{margin:.4em 0}
details{margin:.4em 0}summary{cursor:pointer}
.hidden{display:none!important}
)css";

const char* kScript = R"js(
(function () {
  'use strict';
  var section = document.getElementById('f-section');
  var target = document.getElementById('f-target');
  var failing = document.getElementById('f-failing');
  function apply() {
    var s = section.value, t = target.value, onlyBad = failing.checked;
    document.querySelectorAll('#matrix [data-target]').forEach(function (el) {
      el.classList.toggle('hidden', t !== '' && el.getAttribute('data-target') !== t);
    });
    document.querySelectorAll('#matrix tbody tr').forEach(function (row) {
      var hide = s !== '' && row.getAttribute('data-section') !== s;
      if (!hide && onlyBad && row.classList.contains('clause-row')) {
        hide = row.querySelectorAll('td.cell.fail:not(.hidden), td.cell.error:not(.hidden)').length === 0;
      }
      row.classList.toggle('hidden', hide);
    });
    var shown = 0;
    document.querySelectorAll('article.failure').forEach(function (a) {
      var hide = (s !== '' && a.getAttribute('data-section') !== s) ||
                 (t !== '' && a.getAttribute('data-target') !== t);
      a.classList.toggle('hidden', hide);
      if (!hide) shown++;
    });
    document.getElementById('failures-shown').textContent = String(shown);
  }
  // Filters live in the URL too (#section=data&target=kernel&failing=1), so a view can be shared.
  function fromHash() {
    var params = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0) params[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    function pick(select, value) {
      var ok = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
      select.value = ok ? value : '';
    }
    pick(section, params.section || '');
    pick(target, params.target || '');
    failing.checked = params.failing === '1';
  }
  function toHash() {
    var parts = [];
    if (section.value) parts.push('section=' + encodeURIComponent(section.value));
    if (target.value) parts.push('target=' + encodeURIComponent(target.value));
    if (failing.checked) parts.push('failing=1');
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname);
  }
  [section, target, failing].forEach(function (el) {
    el.addEventListener('change', function () { apply(); toHash(); });
  });
  window.addEventListener('hashchange', function () { fromHash(); apply(); });
  fromHash();
  document.querySelectorAll('#matrix td.cell[data-clause]').forEach(function (td) {
    td.addEventListener('click', function () {
      target.value = td.getAttribute('data-target');
      apply();
      var first = document.querySelector('article.failure[data-target="' + td.getAttribute('data-target') +
                                         '"][data-clauses~="' + td.getAttribute('data-clause') + '"]');
      if (first) first.scrollIntoView();
    });
  });
  apply();
  document.body.setAttribute('data-ready', '1');
})();
)js";

std::string esc(const std::string& s) { return xml_escape(s); }

std::string cell_class(const Counts& c) { return c.total() == 0 ? "none" : std::string(verdict_name(c.overall())); }

std::string cell_label(const Counts& c) {
  if (c.total() == 0) return "&ndash;";
  switch (c.overall()) {
    case Verdict::Fail: return std::to_string(c.fail) + "/" + std::to_string(c.total()) + " fail";
    case Verdict::Error: return std::to_string(c.error) + "/" + std::to_string(c.total()) + " error";
    case Verdict::Pass: return std::to_string(c.pass) + " pass" + (c.skip ? " +" + std::to_string(c.skip) + " skip" : "");
    case Verdict::Skip: return std::to_string(c.skip) + " skip";
  }
  return "?";
}

std::string counts_title(const Counts& c) {
  return "pass " + std::to_string(c.pass) + ", fail " + std::to_string(c.fail) + ", skip " + std::to_string(c.skip) +
         ", error " + std::to_string(c.error);
}

// Inline Markdown of a clause body: `code`, **bold**; everything else escaped.
std::string inline_md(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '`') {
      auto end = text.find('`', i + 1);
      if (end != std::string::npos) {
        out += "<code>" + esc(text.substr(i + 1, end - i - 1)) + "</code>";
        i = end + 1;
        continue;
      }
    }
    if (text.compare(i, 2, "**") == 0) {
      auto end = text.find("**", i + 2);
      if (end != std::string::npos) {
        out += "<strong>" + esc(text.substr(i + 2, end - i - 2)) + "</strong>";
        i = end + 2;
        continue;
      }
    }
    auto next = text.find_first_of("`*", i + 1);
    if (next == std::string::npos) next = text.size();
    out += esc(text.substr(i, next - i));
    i = next;
  }
  return out;
}

// A clause body as HTML: paragraphs, "- " lists, tables and code blocks kept preformatted.
std::string block_md(const std::string& body) {
  std::string out, para;
  bool in_list = false, in_pre = false;
  std::string pre;
  auto flush_para = [&] {
    if (!para.empty()) out += "<p>" + inline_md(para) + "</p>";
    para.clear();
  };
  auto close_list = [&] {
    if (in_list) out += "</ul>";
    in_list = false;
  };
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto nl = body.find('\n', pos);
    std::string line = body.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? body.size() + 1 : nl + 1;
    if (line.rfind("```", 0) == 0) {
      flush_para();
      close_list();
      if (in_pre) out += "<pre>" + esc(pre) + "</pre>";
      pre.clear();
      in_pre = !in_pre;
      continue;
    }
    if (in_pre) {
      pre += line + "\n";
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) {
      flush_para();
      close_list();
    } else if (line.rfind("- ", 0) == 0 || line.rfind("* ", 0) == 0) {
      flush_para();
      if (!in_list) out += "<ul>";
      in_list = true;
      out += "<li>" + inline_md(line.substr(2)) + "</li>";
    } else if (line[0] == '|' || line.rfind("####", 0) == 0) {
      flush_para();
      close_list();
      out += "<pre>" + esc(line) + "</pre>";
    } else {
      para += (para.empty() ? "" : " ") + line;
    }
  }
  if (in_pre) out += "<pre>" + esc(pre) + "</pre>";
  flush_para();
  close_list();
  return out;
}

// The compared fields of an entry as one line of text ("type=reg size=4 content=ab12…").
std::string entry_text(const Entry* e) {
  if (!e) return "(absent)";
  std::string t;
  auto add = [&](const std::string& s) { t += (t.empty() ? "" : " ") + s; };
  if (e->err) add("errno=" + *e->err);
  if (e->type) add("type=" + std::string(type_name(*e->type)));
  if (e->mode) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", *e->mode);
    add(std::string("mode=") + buf);
  }
  if (e->size) add("size=" + std::to_string(*e->size));
  if (e->content) add("content=" + e->content->substr(0, 12));
  if (e->open_err) add("open_errno=" + *e->open_err);
  if (e->target) add("target=\"" + *e->target + "\"");
  if (e->children) {
    std::string c;
    for (const auto& n : *e->children) c += (c.empty() ? "" : ",") + n;
    add("children=[" + c + "]");
  }
  if (e->readdir_err) add("readdir_errno=" + *e->readdir_err);
  if (e->xattrs) {
    std::string c;
    for (const auto& n : *e->xattrs) c += (c.empty() ? "" : ",") + n;
    add("xattrs=[" + c + "]");
  }
  if (!e->unspecified.empty()) {
    std::string c;
    for (const auto& n : e->unspecified) c += (c.empty() ? "" : ",") + n;
    add("unspecified=[" + c + "]");
  }
  return t;
}

std::string mount_text(const MountStatus& m) {
  if (m.ok) return "ok";
  std::string t = "error " + m.err;
  if (!m.message.empty()) t += ": " + m.message;
  return t;
}

// Both observations side by side, differing rows marked.
std::string observation_table(const Result& r) {
  const Observation& m = *r.model_observation;
  const Observation& o = *r.target_observation;
  std::set<std::string> paths;
  for (const auto& e : m.entries) paths.insert(e.path);
  for (const auto& e : o.entries) paths.insert(e.path);
  std::set<std::string> diverging;
  for (const auto& d : r.divergences) diverging.insert(d.path);
  std::string h = "<table class=\"obs\"><thead><tr><th>path</th><th>model</th><th>" + esc(r.target) +
                  "</th></tr></thead><tbody>";
  std::string mt = mount_text(m.mount), ot = mount_text(o.mount);
  h += std::string("<tr") + (mt != ot ? " class=\"differs\"" : "") + "><td>(mount)</td><td>" + esc(mt) + "</td><td>" +
       esc(ot) + "</td></tr>";
  std::size_t shown = 0, hidden = 0;
  for (const auto& p : paths) {
    std::string a = entry_text(m.find(p)), b = entry_text(o.find(p));
    bool differs = diverging.count(p) || a != b;
    if (!differs && paths.size() > kMaxEntriesShown) {
      ++hidden;
      continue;
    }
    if (shown++ >= kMaxEntriesShown) {
      ++hidden;
      continue;
    }
    h += std::string("<tr") + (differs ? " class=\"differs\"" : "") + "><td>" + esc(p) + "</td><td>" + esc(a) +
         "</td><td>" + esc(b) + "</td></tr>";
  }
  h += "</tbody></table>";
  if (hidden) h += "<p class=\"meta\">" + std::to_string(hidden) + " more entries not shown (see results.jsonl).</p>";
  return h;
}

std::string section_label(const std::string& section, const Tally& t, const SpecText& spec) {
  for (const auto& c : t.clauses)
    if (t.section_of_clause.at(c) == section)
      if (const SpecClause* sc = spec.find(c); sc && !sc->section.empty()) return section + " \u2014 " + sc->section;
  return section;
}

std::string clause_details(const std::string& id, const SpecText& spec, bool open) {
  const SpecClause* c = spec.find(id);
  std::string h = std::string("<details class=\"clause-text\"") + (open ? " open" : "") + "><summary><code>[" +
                  esc(id) + "]</code> ";
  if (!c) return h + "<em>not found in the spec text</em></summary></details>";
  h += esc(c->title) + "</summary><div class=\"clause-body\">";
  h += c->body.empty() ? "<p class=\"meta\">(no text yet)</p>" : block_md(c->body);
  return h + "</div></details>";
}

std::string failure_article(const Result& r, int index, const SpecText& spec) {
  std::string clauses;
  for (const auto& c : r.clauses) clauses += (clauses.empty() ? "" : " ") + c;
  std::string v(verdict_name(r.verdict));
  std::string h = "<article class=\"failure\" data-verdict=\"" + v + "\" id=\"failure-" + std::to_string(index) + "\" data-section=\"" +
                  esc(r.section()) + "\" data-target=\"" + esc(r.target) + "\" data-clauses=\"" + esc(clauses) + "\">";
  h += "<h3>" + esc(r.target) + ": " + esc(r.case_name) + " <span class=\"badge " + v + "\">" + v + "</span></h3>";
  h += "<p class=\"meta\">";
  if (!r.source_file.empty()) h += "case <code>" + esc(r.source_file) + "</code> &middot; ";
  h += "semantics <code>" + esc(r.semantics) + "</code>";
  if (r.seed) h += " &middot; seed <code>" + std::to_string(*r.seed) + "</code>";
  h += " &middot; " + esc(r.origin) + "</p>";
  if (!r.reason.empty()) h += "<p>" + esc(r.reason) + "</p>";
  if (!r.divergences.empty()) {
    h += "<table class=\"diff\"><thead><tr><th>path</th><th>field</th><th>model</th><th>" + esc(r.target) +
         "</th><th>clauses</th></tr></thead><tbody>";
    for (const auto& d : r.divergences) {
      std::string cs;
      for (const auto& c : d.clauses) cs += (cs.empty() ? "" : " ") + std::string("<code>") + esc(c) + "</code>";
      h += "<tr><td>" + esc(d.path.empty() ? "(mount)" : d.path) + "</td><td>" + esc(d.field) + "</td><td>" +
           esc(d.model) + "</td><td>" + esc(d.target) + "</td><td>" + cs + "</td></tr>";
    }
    h += "</tbody></table>";
  }
  if (!r.failed_expectations.empty()) {
    h += "<p>Failed expectations:</p><ul>";
    for (const auto& e : r.failed_expectations) h += "<li><code>" + esc(e) + "</code></li>";
    h += "</ul>";
  }
  if (r.model_observation && r.target_observation)
    h += "<details><summary>Both observations</summary>" + observation_table(r) + "</details>";
  // The clauses the case names, then any further clause the diverging paths went through.
  std::vector<std::string> ids = r.clauses;
  for (const auto& d : r.divergences)
    for (const auto& c : d.clauses)
      if (std::find(ids.begin(), ids.end(), c) == ids.end()) ids.push_back(c);
  for (std::size_t i = 0; i < ids.size(); ++i) h += clause_details(ids[i], spec, i == 0);
  if (!r.reproducer.empty())
    h += "<details open><summary>Shell reproducer</summary><pre class=\"repro\">" + esc(r.reproducer) +
         "</pre></details>";
  return h + "</article>\n";
}

}  // namespace

std::string render_html(const ResultsFile& f, const SpecText& spec) {
  Tally t = tally(f);
  bool bad = t.total.fail || t.total.error;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>ovlspec " + esc(f.header.command) + ": " + (bad ? "divergences found" : "conforms") + "</title>\n";
  h += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  h += "<header><h1>ovlspec " + esc(f.header.command) + ": " +
       (bad ? "<span class=\"fail\">divergences found</span>" : "<span class=\"pass\">conforms</span>") + "</h1>";
  h += "<p class=\"meta\">ovlspec " + esc(f.header.ovlspec_version) + " &middot; Linux " + esc(f.header.kernel_release) +
       " &middot; " + esc(f.header.date);
  if (f.header.seed) h += " &middot; seed " + std::to_string(*f.header.seed);
  if (f.header.z3_version) h += " &middot; Z3 " + esc(*f.header.z3_version);
  h += " &middot; " + std::to_string(t.total.total()) + " results</p></header>\n";

  h += "<section id=\"targets\"><h2>Targets</h2><table id=\"targets-table\"><thead><tr><th>target</th><th>level</th>"
       "<th>pass</th><th>fail</th><th>skip</th><th>error</th><th>verdict</th></tr></thead><tbody>";
  for (const auto& target : t.targets) {
    const Counts& c = t.per_target[target];
    const TargetAvailability* a = find_target(f.header, target);
    std::string verdict = a && !a->available ? "<span class=\"badge skip\">unavailable</span> " + esc(a->reason)
                          : c.total() == 0   ? "<span class=\"badge skip\">no results</span>"
                                             : "<span class=\"badge " + cell_class(c) + "\">" +
                                                   std::string(verdict_name(c.overall())) + "</span>";
    h += "<tr data-target-row=\"" + esc(target) + "\"><td>" + esc(target) + "</td><td>" +
         (a && !a->level.empty() ? esc(a->level) : "&ndash;") + "</td><td class=\"num\">" + std::to_string(c.pass) +
         "</td><td class=\"num\">" + std::to_string(c.fail) + "</td><td class=\"num\">" + std::to_string(c.skip) +
         "</td><td class=\"num\">" + std::to_string(c.error) + "</td><td>" + verdict + "</td></tr>";
  }
  h += "</tbody></table></section>\n";

  h += "<nav id=\"filters\"><label>Section <select id=\"f-section\"><option value=\"\">all</option>";
  for (const auto& s : t.sections) h += "<option value=\"" + esc(s) + "\">" + esc(s) + "</option>";
  h += "</select></label><label>Target <select id=\"f-target\"><option value=\"\">all</option>";
  for (const auto& target : t.targets) h += "<option value=\"" + esc(target) + "\">" + esc(target) + "</option>";
  h += "</select></label><label><input type=\"checkbox\" id=\"f-failing\"> only clauses that fail</label></nav>\n";

  h += "<section><h2>Conformance matrix</h2><p class=\"meta\">Each case counts under every clause it names. "
       "Click a cell to jump to its failures.</p><table id=\"matrix\"><thead><tr><th>clause</th>";
  for (const auto& target : t.targets) h += "<th data-target=\"" + esc(target) + "\">" + esc(target) + "</th>";
  h += "</tr></thead><tbody>";
  for (const auto& section : t.sections) {
    bool any = false;
    for (const auto& c : t.clauses) any = any || t.section_of_clause.at(c) == section;
    if (!any) continue;
    h += "<tr class=\"section-row\" data-section=\"" + esc(section) + "\"><th colspan=\"" +
         std::to_string(t.targets.size() + 1) + "\">" + esc(section_label(section, t, spec)) + "</th></tr>";
    for (const auto& clause : t.clauses) {
      if (t.section_of_clause.at(clause) != section) continue;
      const SpecClause* sc = spec.find(clause);
      h += "<tr class=\"clause-row\" data-section=\"" + esc(section) + "\" data-clause=\"" + esc(clause) +
           "\"><th><code>" + esc(clause) + "</code>";
      if (sc) h += " <span class=\"title\">" + esc(sc->title) + "</span>";
      h += "</th>";
      for (const auto& target : t.targets) {
        const Counts& c = t.clause(clause, target);
        h += "<td class=\"cell " + cell_class(c) + "\" data-target=\"" + esc(target) + "\" data-clause=\"" +
             esc(clause) + "\" title=\"" + counts_title(c) + "\">" + cell_label(c) + "</td>";
      }
      h += "</tr>";
    }
  }
  h += "</tbody></table></section>\n";

  std::vector<const Result*> failures;
  for (const auto& r : f.results)
    if (r.verdict == Verdict::Fail || r.verdict == Verdict::Error) failures.push_back(&r);
  h += "<section id=\"failures\"><h2>Failures and errors (<span id=\"failures-shown\">" +
       std::to_string(failures.size()) + "</span> of " + std::to_string(failures.size()) + ")</h2>\n";
  if (failures.empty()) h += "<p>None: every available target agrees with the model on every case it ran.</p>\n";
  for (std::size_t i = 0; i < failures.size(); ++i) h += failure_article(*failures[i], static_cast<int>(i), spec);
  h += "</section>\n";

  std::map<std::string, std::string> skips;  // target -> one reason shown
  for (const auto& r : f.results)
    if (r.verdict == Verdict::Skip && !skips.count(r.target)) skips[r.target] = r.reason;
  if (!skips.empty()) {
    h += "<section id=\"skips\"><h2>Skipped</h2><ul>";
    for (const auto& [target, reason] : skips)
      h += "<li data-target=\"" + esc(target) + "\">" + esc(target) + ": " +
           std::to_string(t.per_target[target].skip) + " skipped, e.g. " + esc(reason) + "</li>";
    h += "</ul></section>\n";
  }
  h += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return h;
}

}  // namespace ovl
