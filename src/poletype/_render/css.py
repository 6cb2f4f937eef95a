"""The HTML report's style sheet, inlined so the report is one self-contained file."""

from __future__ import annotations

CSS = """
:root{--ink:#1d2430;--muted:#5b6573;--line:#d9dee5;--soft:#f4f6f9;--accent:#1f4e8c;
--pos:#17663a;--pos-bg:#e3f3e8;--neg:#a12a22;--neg-bg:#fbe9e7;--unk:#855400;--unk-bg:#fdf1d8;
--typ:#1f4e8c;--typ-bg:#e6eef9;--err:#4a4f57;--err-bg:#e9ebee}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:32px 40px 48px}
header.report{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:24px}
h1{font-size:28px;line-height:1.2;margin:0 0 6px;color:var(--accent)}
h2{font-size:21px;margin:36px 0 12px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:17px;margin:22px 0 8px}
h4{font-size:14px;margin:16px 0 6px;text-transform:uppercase;letter-spacing:.04em;
color:var(--muted)}
p{margin:6px 0}
.meta{color:var(--muted);margin:2px 0}
.subtitle{font-size:18px;margin:0 0 8px}
.meta b{color:var(--ink);font-weight:600}
ul.typologies{margin:6px 0 0;padding-left:20px;color:var(--muted)}
ul.typologies code{color:var(--ink)}
code{font:13px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;background:var(--soft);
padding:1px 4px;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:8px 0 14px}
th,td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
th{font-size:13px;font-weight:600;color:var(--muted);background:var(--soft)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.total td{font-weight:600;border-top:2px solid var(--ink)}
.panel{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;margin:10px 0 22px;
padding:16px 18px;border:1px solid var(--line);border-radius:8px}
.panel>div{flex:1 1 380px;min-width:0}
.panel h3{margin-top:0}
.figures{display:flex;gap:16px;margin:12px 0 18px}
.figures>div{flex:1;padding:12px 16px;border:1px solid var(--line);border-radius:8px;
background:var(--soft);color:var(--muted);font-size:13px}
.figures b{display:block;font-size:26px;line-height:1.2;color:var(--ink)}
.figures>div.failed b{color:var(--neg)}
svg.chart{display:block;width:100%;height:auto;max-width:520px}
.badge{display:inline-block;padding:2px 9px;border-radius:999px;font-size:13px;font-weight:600;
white-space:nowrap;border:1px solid transparent}
.positive{color:var(--pos);background:var(--pos-bg);border-color:#b9dfc6}
.negative{color:var(--neg);background:var(--neg-bg);border-color:#efc2bc}
.indeterminate{color:var(--unk);background:var(--unk-bg);border-color:#efd79f}
.type{color:var(--typ);background:var(--typ-bg);border-color:#bcd0ec}
.error{color:var(--err);background:var(--err-bg);border-color:#cfd3d8}
.status{display:inline-block;min-width:112px;font-size:13px;font-weight:600;white-space:nowrap}
.status.good{color:var(--pos)}.status.bad{color:var(--neg)}.status.open{color:var(--unk)}
.status.neutral{color:var(--muted);font-weight:500}
.cell-notes{background:var(--soft);border:1px solid var(--line);border-left:4px solid var(--unk);
border-radius:8px;padding:8px 18px;margin:16px 0}
.cell-notes h3{margin:4px 0 6px}.cell-notes li{margin:3px 0}
.notices{background:var(--unk-bg);border:1px solid #efd79f;border-radius:8px;padding:8px 18px;
margin:18px 0}.notices h2{border:0;margin:6px 0 4px;font-size:17px}
table.toc td:first-child,table.toc th:first-child{width:64px}
table.toc a{color:var(--accent);text-decoration:none;font-weight:600}
table.toc a:hover{text-decoration:underline}
section.applicant{margin-top:40px;padding-top:8px;border-top:4px solid var(--accent)}
section.applicant.failed{border-top-color:var(--err)}
section.applicant h2{border:0;margin:6px 0 2px}
.finding{margin:18px 0 8px;padding:14px 18px 10px;border:1px solid var(--line);border-radius:8px}
.finding>h3{display:flex;flex-wrap:wrap;gap:10px;align-items:center;justify-content:space-between;
margin:0 0 6px}
table.criteria td:first-child{width:128px}
table.facts th{width:200px;background:none;font-size:14px;color:var(--muted)}
table.facts.verdicts th{width:auto;color:var(--ink);font-weight:500}
table.facts.verdicts td{width:1%;white-space:nowrap;text-align:right}
table.memberships{width:auto;min-width:60%}
table.memberships td.num{padding-left:24px}
table.criteria td:nth-child(2){width:34%}
.crit-id{font-weight:700;margin-right:6px}
.source{display:block;margin:3px 0;color:var(--muted);font-size:13px}
.asks{background:var(--unk-bg);border:1px solid #efd79f;border-radius:8px;padding:10px 18px;
margin:16px 0}
.asks h3,.takes h3{margin:4px 0 6px}
.asks li{margin:4px 0}
.asks .path{color:var(--muted);font-size:13px}
.takes{background:var(--typ-bg);border:1px solid #bcd0ec;border-radius:8px;padding:10px 18px;
margin:16px 0}
.takes ol{margin:6px 0;padding-left:22px}
.takes li{margin:6px 0}
.takes ul{margin:2px 0;padding-left:18px}
.muted{color:var(--muted)}
.guide{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:4px 18px;
margin:18px 0}
.guide h2{border:0;margin:10px 0 4px;font-size:17px}
.guide ul{margin:4px 0 10px;padding-left:20px}
.guide li{margin:3px 0}
.lacks{display:block;margin-top:3px;font-size:12px;color:var(--neg)}
.lacks abbr{text-decoration:none;border-bottom:1px dotted currentColor;cursor:help}
.lacks .reason{display:block}
table.facts.verdicts .lacks{font-weight:400}
.bar{position:relative;display:inline-block;width:220px;height:12px;background:var(--soft);
border:1px solid var(--line);border-radius:3px;vertical-align:middle}
.bar span{position:absolute;top:0;bottom:0}
.bar .known{background:var(--typ)}
.bar .open{background:repeating-linear-gradient(45deg,#9fb8dd 0 4px,#d3e0f2 4px 8px)}
a.back{font-size:13px;color:var(--muted)}
footer{margin-top:48px;padding-top:12px;border-top:1px solid var(--line);color:var(--muted);
font-size:13px}
@page{margin:14mm}
@media print{
body{font-size:10.5pt}
main{max-width:none;padding:0}
section.applicant{break-before:page}
.finding,.asks,.takes,.panel,tr{break-inside:avoid}
a{color:inherit;text-decoration:none}
a.back{display:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""
