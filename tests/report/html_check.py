#!/usr/bin/env python3
# tests/report/html_check.py -- loads the HTML reports that test_html_interactive.sh made
# (night1.html: tests/report/hostile.xml planned on an empty site; night2.html:
# hostile-next.xml planned after applying it) in a headless Chromium and checks what a
# registrar sees: nothing loaded from outside, no script of the file's run, the
# filter by action kind (?hide=KIND and the check boxes), the search (?q=TEXT and the
# search box), the sortable columns, and the print style. Each page is loaded from a
# copy with two small scripts of ours added: one first in <head> (records alert()
# calls and errors), one last in <body> (runs the steps of a scenario and writes what
# it saw as JSON into <pre id="t-results">); Chromium's --dump-dom gives that back.
# Usage: html_check.py CHROMIUM WORKDIR; exits 0 when every check passes, 1 if not.
import html
import json
import os
import re
import subprocess
import sys
import tempfile

CHROMIUM, WORK = sys.argv[1], sys.argv[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


HEAD_HOOK = ("<script>window.__t={alerts:[],errors:[]};"
             "window.alert=function(m){__t.alerts.push(String(m));};"
             "window.addEventListener('error',function(e){__t.errors.push(String(e.message));});</script>")

# Runs in the page after the report's own script. Rows are named by their first cells:
# actions by '#', skips by line, quarantined records by line, thresholds by class and scope.
TAIL = r"""<script>(function(){
function rows(id){var t=document.getElementById(id);if(!t)return null;
 return [].slice.call(t.tBodies[0].rows).filter(function(r){return r.getClientRects().length>0;})
  .map(function(r){return id==='safety'?r.cells[0].textContent+' '+r.cells[1].textContent:r.cells[0].textContent;});}
function seen(){return {actions:rows('actions'),skipped:rows('skipped'),quarantined:rows('quarantined'),safety:rows('safety')};}
function search(text){var q=document.getElementById('q');q.value=text;q.dispatchEvent(new Event('input'));}
function box(kind,on){var b=document.querySelector('input[data-kind="'+kind+'"]');b.checked=on;b.dispatchEvent(new Event('change'));}
function header(name,table){var ths=document.querySelectorAll('#'+(table||'actions')+' th');
 for(var i=0;i<ths.length;i++)if(ths[i].textContent===name){ths[i].click();return;}throw new Error('no column '+name);}
function sorted(){return [].slice.call(document.querySelectorAll('#actions th')).map(function(th){
 return th.className;}).join(',');}
function cell(seq,col){var r=[].slice.call(document.getElementById('actions').tBodies[0].rows)
 .filter(function(r){return r.cells[0].textContent===String(seq);})[0];return r.cells[col].textContent;}
var res={};
try{
res.initial=seen();
res.boxes=[].slice.call(document.querySelectorAll('input[data-kind]')).map(function(b){
 return b.getAttribute('data-kind')+(b.checked?'':' off');});
if(location.hash==='#interactive'){
 search('p5');res.search_p5=seen();
 box('enrol',false);res.search_p5_no_enrol=seen();
 search('');res.no_enrol=seen();
 box('enrol',true);search('ZO\u00cb');res.search_zoe=seen();
 search('CNGUYEN');res.search_username=seen();search('');
 header('#');res.order_seq_asc=seen().actions;header('#');res.order_seq_desc=seen().actions;
 header('Line');res.order_line=seen().actions;
 header('Person');res.order_person=seen().actions;res.sorted_classes=sorted();
 /* print: the @media print rules made to apply now, with a filter on */
 box('create_user',false);var css='';
 [].forEach.call(document.styleSheets,function(s){[].forEach.call(s.cssRules,function(r){
  if(r.media&&r.media.mediaText==='print')[].forEach.call(r.cssRules,function(x){css+=x.cssText;});});});
 var st=document.createElement('style');st.textContent=css;document.head.appendChild(st);
 res.print_rows=seen();res.print_controls=getComputedStyle(document.querySelector('.controls')).display;
 st.remove();res.after_print_rows=seen().actions.length;box('create_user',true);
 res.cells={course1:cell(1,2),person4:cell(4,3),detail3:cell(3,7),detail20:cell(20,7)};
}
if(location.hash==='#safety'){
 header('Percent','safety');res.safety_percent_asc=seen().safety;
 header('Percent','safety');res.safety_percent_desc=seen().safety;
 header('Scope','safety');res.safety_scope=seen().safety;
}
res.scripts=document.querySelectorAll('script').length;
res.imgs=document.querySelectorAll('img').length;
res.handlers=document.querySelectorAll('[onerror],[onmouseover],[onload],[onclick]').length;
res.resources=performance.getEntriesByType('resource').map(function(e){return e.name;});
}catch(e){res.exception=String(e);}
res.alerts=window.__t.alerts;res.errors=window.__t.errors;
var pre=document.createElement('pre');pre.id='t-results';pre.textContent=JSON.stringify(res);
document.body.appendChild(pre);})();</script>"""


def instrument(page):
    """A copy of the report with our two scripts in it; returns its path."""
    text = open(os.path.join(WORK, page), encoding="utf-8").read()
    check(text.count("<head>") == 1 and text.rstrip().endswith("</body></html>"), f"{page}: shape")
    text = text.replace("<head>", "<head>" + HEAD_HOOK, 1)
    text = text[:text.rindex("</body>")] + TAIL + "\n</body></html>\n"
    copy = os.path.join(WORK, "t-" + page)
    open(copy, "w", encoding="utf-8").write(text)
    return copy


def load_all(loads):
    """Loads each (page, ?query or #hash) in a Chromium of its own, all at once;
    returns the scenarios' results in the same order."""
    procs = []
    for page, query in loads:
        profile = tempfile.mkdtemp(dir=WORK)
        procs.append(subprocess.Popen([CHROMIUM] + FLAGS + ["--user-data-dir=" + profile, "--dump-dom",
                                       "file://" + instrument(page) + query],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return [results(page + query, p) for (page, query), p in zip(loads, procs)]


def results(label, p):
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    m = re.search(r'<pre id="t-results">(.*?)</pre>', out, re.S)
    if not m:
        check(False, f"{label}: no results in the dumped DOM (exit {p.returncode}): {err[-500:]}")
        return {}
    res = json.loads(html.unescape(m.group(1)))
    check("exception" not in res, f"{label}: the scenario threw {res.get('exception')}")
    # the same page, whatever the scenario: nothing from outside, nothing of the file's run
    check(res.get("alerts") == [] and res.get("errors") == [],
          f"{label}: alerts or errors {res.get('alerts')} {res.get('errors')}")
    check(res.get("scripts") == 3, f"{label}: {res.get('scripts')} script elements, expected the report's and our 2")
    check(res.get("imgs") == 0 and res.get("handlers") == 0,
          f"{label}: {res.get('imgs')} img elements, {res.get('handlers')} inline handlers")
    check(res.get("resources") == [], f"{label}: loaded {res.get('resources')}")
    return res


def expect(res, key, want, label):
    check(res.get(key) == want, f"{label} {key}: got {res.get(key)!r}, expected {want!r}")


def static_checks(page, site):
    """The file itself: one page, no asset from anywhere, every value escaped."""
    text = open(os.path.join(WORK, page), encoding="utf-8").read()
    low = text.lower()
    for needle in ("<link", "url(", "@import", "<iframe", "<object", "<embed", "<img", "<base"):
        check(needle not in low, f"{page}: contains {needle!r}")
    # no tag of the page has an attribute that loads or links anything (the file's
    # text, escaped, may well say "src=")
    for tag in re.findall(r"<[a-z][^<>]*>", low):
        check(re.search(r"\s(src|href|srcset|action|formaction|data|poster)\s*=", tag) is None,
              f"{page}: a tag loads or links: {tag}")
    check(low.count("<script") == 1, f"{page}: {low.count('<script')} <script> tags, expected 1")
    # the only address is the site's, as text in the meta line
    urls = re.findall(r"https?://[^\s<\"',]*", text)
    check(urls == [site], f"{page}: addresses {urls}, expected only the site's {site}")
    check(re.search(r'<p class="meta">Site ' + re.escape(site) + ",", text) is not None,
          f"{page}: the site's address is not where it should be")
    # summary first: status, counts, thresholds; then the controls and the tables
    order = [text.find(s) for s in ('class="status', 'class="cards"', 'id="q"', 'id="actions"')]
    check(all(i >= 0 for i in order) and order == sorted(order), f"{page}: summary not first {order}")
    check("@media print{" in text and ".controls{display:none}" in text, f"{page}: no print style")


site = open(os.path.join(WORK, "site.url")).read().strip()
ALL = [str(i) for i in range(1, 23)]

# ---- night 1: 22 actions, 1 skip, 3 quarantined ------------------------------------------
static_checks("night1.html", site)
n1 = open(os.path.join(WORK, "night1.html"), encoding="utf-8").read()
for escaped in ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;",
                "&quot; onmouseover=&quot;alert(3)", "O&#39;Brien &amp; &quot;Sons&quot;", "Zoë",
                "Lab &quot;A&quot; &amp; B", "=cmd|&#39; /C calc&#39;!A0"):
    check(escaped in n1, f"night1.html: {escaped!r} not found escaped")

static_checks("night2.html", site)
static_checks("outcome1.html", site)
night1_interactive, night1_query, night2_query, outcome1_query = load_all([
    ("night1.html", "#interactive"),
    ("night1.html", "?q=%3CIMG%20SRC&hide=add_to_group,quarantined"),
    ("night2.html", "?q=p6&hide=suspend#safety"),
    ("outcome1.html", "?q=DONE&hide=enrol")])

r = night1_interactive
expect(r, "initial", {"actions": ALL, "skipped": ["108"], "quarantined": ["63", "83", "103"],
                      "safety": None}, "night1")
expect(r, "boxes", ["create_course", "create_user", "enrol", "create_group", "add_to_group",
                    "skipped", "quarantined"], "night1")
# the search: every row that mentions it, whatever its table (P5: its user, two enrolments)
expect(r, "search_p5", {"actions": ["9", "17", "19"], "skipped": [], "quarantined": [], "safety": None}, "night1")
expect(r, "search_p5_no_enrol", {"actions": ["9"], "skipped": [], "quarantined": [], "safety": None}, "night1")
expect(r, "no_enrol", {"actions": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "20", "21", "22"],
                       "skipped": ["108"], "quarantined": ["63", "83", "103"], "safety": None}, "night1")
# upper case, non-ASCII: ZOË finds Zoë's user
expect(r, "search_zoe", {"actions": ["6"], "skipped": [], "quarantined": [], "safety": None}, "night1")
# a username finds the user's enrolments, not only the row that makes the user
expect(r, "search_username", {"actions": ["9", "17", "19"], "skipped": [], "quarantined": [], "safety": None},
       "night1")
# sorting: numbers as numbers (9 before 10, 99 before 101), text by the collation,
# ties kept in the order before (the sort is stable)
expect(r, "order_seq_asc", ALL, "night1")
expect(r, "order_seq_desc", ALL[::-1], "night1")
expect(r, "order_line", ["6", "4", "7", "8", "9", "5", "1", "2", "3", "11", "22", "20", "12", "21", "10",
                         "13", "14", "15", "16", "17", "18", "19"], "night1")
expect(r, "order_person", ["1", "2", "3", "20", "4", "21", "10", "18", "5", "11", "14", "6", "22", "12",
                           "15", "7", "13", "8", "16", "9", "17", "19"], "night1")
expect(r, "sorted_classes", ",,,sorted-asc,,,,,,", "night1")
# printed: every row, whatever the filter, and no controls
expect(r, "print_controls", "none", "night1")
check((r.get("print_rows") or {}).get("actions") is not None and
      sorted(r["print_rows"]["actions"], key=int) == ALL, f"night1: printed rows {r.get('print_rows')}")
expect(r, "after_print_rows", 16, "night1")
expect(r, "cells", {"course1": "<script>alert(1)</script>", "person4": "<img src=x onerror=alert(2)> (jsmith)",
                    "detail3": 'HIST300: " onmouseover="alert(3) (hidden)',
                    "detail20": 'Lab "A" & B'}, "night1")

r = night1_query
# ?q= (upper case, markup) and ?hide= together; the check boxes follow ?hide=
expect(r, "initial", {"actions": ["4", "10", "18"], "skipped": [], "quarantined": [], "safety": None},
       "night1 ?q=<IMG SRC&hide=add_to_group,quarantined")
expect(r, "boxes", ["create_course", "create_user", "enrol", "create_group", "add_to_group off",
                    "skipped", "quarantined off"], "night1 ?q=<IMG SRC&hide=add_to_group,quarantined")

# ---- the outcome of applying night 1: everything done ---------------------------------
o1 = open(os.path.join(WORK, "outcome1.html"), encoding="utf-8").read()
check('<div class="status s-changes">Applied: 22 done, 0 failed, 0 unknown, 0 not run</div>' in o1,
      "outcome1.html: no status line of the run")
check(o1.count("<td>done</td>") == 22 and "<th>Result</th>" in o1, "outcome1.html: no Result column")
r = outcome1_query
expect(r, "initial", {"actions": ["1", "2", "3", "4", "5", "6", "7", "8", "9", "20", "21", "22"],
                      "skipped": [], "quarantined": [], "safety": None}, "outcome1 ?q=DONE&hide=enrol")

# ---- night 2: a new student, two withdrawals, three threshold checks ---------------------
r = night2_query
# the thresholds are the summary: a search or a filter of the changes leaves them be
expect(r, "initial", {"actions": ["1", "2"], "skipped": None, "quarantined": None,
                      "safety": ["suspend site", "suspend ART200", "suspend HIST300"]},
       "night2 ?q=p6&hide=suspend")
expect(r, "boxes", ["create_user", "enrol", "suspend off"], "night2 ?q=p6&hide=suspend")
# the thresholds sort too, percentages as numbers (25 < 30 < 100, not "100.0%" < "25.0%")
expect(r, "safety_percent_asc", ["suspend ART200", "suspend site", "suspend HIST300"], "night2")
expect(r, "safety_percent_desc", ["suspend HIST300", "suspend site", "suspend ART200"], "night2")
expect(r, "safety_scope", ["suspend ART200", "suspend HIST300", "suspend site"], "night2")

if failures:
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("every check passed")
