// The pages' light interactivity: call the service's API through /ui/api (the session cookie
// carries the key), poll jobs, render tables. No business logic lives here.
"use strict";
const T = window.T, AREA = window.AREA || [];
const $ = (s) => document.querySelector(s);
const esc = (x) => String(x ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));

async function api(path, opts = {}) {
  const init = {method: opts.method || "GET", headers: {}, credentials: "same-origin"};
  if (opts.body !== undefined) { init.body = JSON.stringify(opts.body); init.headers["Content-Type"] = "application/json"; }
  const r = await fetch("/ui/api" + path, init);
  const text = await r.text();
  let data; try { data = JSON.parse(text); } catch (e) { data = text; }
  if (!r.ok) throw new Error((data && (data.detail || data.title)) || r.status);
  return data;
}

async function waitJob(id, onProgress) {
  for (;;) {
    const job = await api("/jobs/" + id);
    if (onProgress) onProgress(job);
    if (!["queued", "running"].includes(job.status)) return job;
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

function fill(table, rows) { table.querySelector("tbody").innerHTML = rows.join("") || `<tr><td colspan="9" class="muted">${T.none}</td></tr>`; }
function team(seats) { return (seats || []).map((s) => `${esc(s.role)}: ${esc(s.expert)}`).join("<br>"); }
function say(el, text, cls) { el.textContent = text; el.className = "status " + (cls || ""); }

// ---- 1. coordinator's queue ------------------------------------------------------------------
async function queuePage() {
  const sel = $("#center");
  sel.innerHTML = AREA.map((c) => `<option value="${esc(c)}">${esc(c)}</option>`).join("");
  const cases = await api("/cases?status=open");
  const byId = Object.fromEntries(cases.map((c) => [c.id, c]));
  fill($("#cases"), cases.map((c) => `<tr><td>${esc(c.id)}</td><td>${esc(c.center)}</td><td>${esc(c.category)}</td><td>${c.sensitive ? "●" : ""}</td></tr>`));
  let proposal = null;

  async function show(id) {
    proposal = await api("/proposals/" + id);
    $("#proposal-id").textContent = id.slice(0, 8);
    fill($("#proposal"), proposal.lines.map((ln) => {
      const ex = ln.explanation || {}, travel = (ex.seats || []).map((s) => s.travel_minutes ?? "—").join(" / ");
      const why = (ex.seats || []).map((s) => `${esc(s.expert)} ${esc(s.role)} · p=${esc(s.proficiency ?? "—")}${s.preferred ? " ★" : ""}${s.previous ? " ↺" : ""}`).join("<br>")
        + (ex.score ? `<br><span class="muted">${T.score}: ${esc(Object.entries(ex.score.weighted || {}).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", "))}</span>` : "");
      const alts = (ex.alternatives || []).map((a) => `<li>${team(a.team)} ${esc(a.slot || "")} <span class="muted">+${esc(a.objective_change)} ${esc(a.reason)}</span></li>`).join("")
        + (ex.excluded || []).map((x) => `<li class="muted">${T.excluded}: ${esc(x.expert)} — ${esc(x.reason)}</li>`).join("");
      const done = ln.accepted ? `<span class="ok">${T.accepted}</span>` :
        `<button class="accept" data-case="${esc(ln.case)}">${T.accept}</button>
         <select class="choice" data-case="${esc(ln.case)}" aria-label="${T.override}"><option value="">${T.team}: ${T.proposal}</option>${(ex.alternatives || []).map((a, i) => `<option value="${i}">${T.alternatives} ${i + 1}</option>`).join("")}</select>
         <input class="reason" data-case="${esc(ln.case)}" placeholder="${T.reason}" aria-label="${T.reason}">
         <button class="override" data-case="${esc(ln.case)}">${T.override}</button>`;
      return `<tr data-case="${esc(ln.case)}"><td>${esc(ln.case)}</td><td>${esc((byId[ln.case] || {}).category || "")}</td><td>${team(ln.line.team)}</td>
        <td>${esc(ex.slot || (ln.line.slot ? ln.line.slot.date + " " + ln.line.slot.half : "—"))}${ln.line.online ? " (online)" : ""}</td><td>${esc(travel)}</td>
        <td>${why}</td><td><ul class="alts">${alts}</ul></td><td class="act">${done}</td></tr>`;
    }));
    fill($("#unassigned"), proposal.unassigned.map((u) => `<tr><td>${esc(u.case)}</td><td>${esc(u.reason || (u.reasons || []).join("; "))}</td><td>${esc((u.diagnosis || []).join("; "))}</td></tr>`));
  }

  $("#propose").onclick = async () => {
    const status = $("#job-status");
    try {
      say(status, T.running);
      const job = await api(`/centers/${encodeURIComponent(sel.value)}/proposals`, {method: "POST"});
      const done = await waitJob(job.id, (j) => say(status, `${T.running} ${Math.round(j.progress * 100)}%`));
      if (done.status !== "succeeded") return say(status, `${T.failed}: ${done.error || done.status}`, "error");
      await show(done.result_id);
      say(status, T.done, "ok");  // after the table is drawn: "Done" means it is on the page
    } catch (e) { say(status, `${T.error}: ${e.message}`, "error"); }
  };

  $("#proposal").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button"); if (!b) return;
    const c = b.dataset.case, ln = proposal.lines.find((x) => x.case === c), status = $("#job-status");
    try {
      if (b.classList.contains("accept")) {
        await api(`/proposals/${proposal.id}/lines/${encodeURIComponent(c)}/accept`, {method: "POST"});
        b.closest("td").innerHTML = `<span class="ok">${T.accepted}</span>`;
      } else {
        const reason = document.querySelector(`input.reason[data-case="${CSS.escape(c)}"]`).value.trim();
        // The coordinator's own pick: the proposed team, or one of the explained alternatives.
        const pick = document.querySelector(`select.choice[data-case="${CSS.escape(c)}"]`).value;
        const alt = pick === "" ? null : ln.explanation.alternatives[Number(pick)];
        const slotOf = (txt) => { if (!txt) return null; const [date, half] = txt.split(" "); return {date, half}; };
        const body = alt
          ? {team: alt.team, slot: slotOf(alt.slot), room: alt.online || !alt.slot ? null : ln.line.room, online: alt.online, reason}
          : {team: ln.line.team, slot: ln.line.slot, room: ln.line.room, online: ln.line.online, reason};
        await api(`/proposals/${proposal.id}/lines/${encodeURIComponent(c)}/override`, {method: "POST", body});
        b.closest("td").innerHTML = `<span class="ok">${T.overridden}: ${esc(reason)}</span><br>${team(body.team)}`;
      }
    } catch (e) { say(status, `${T.error}: ${e.message}`, "error"); }
  });
}

// ---- 2. one urgent case ----------------------------------------------------------------------
async function urgentPage() {
  const cases = await api("/cases?status=open");
  $("#case-list").innerHTML = cases.map((c) => `<option value="${esc(c.id)}">${esc(c.center)} · ${esc(c.category)}</option>`).join("");
  if (cases.length) $("#case").value = cases[0].id;
  $("#recommend").onclick = async () => {
    const status = $("#rec-status");
    try {
      say(status, T.running);
      const r = await api(`/cases/${encodeURIComponent($("#case").value.trim())}/recommendations?k=5`);
      fill($("#recs"), r.recommendations.map((x, i) => {
        const ex = x.explanation || {};
        return `<tr><td>${i + 1}</td><td>${team(x.line.team)}</td><td>${esc(ex.slot || "—")}${x.line.online ? " (online)" : ""}</td>
          <td>${esc((ex.seats || []).map((s) => s.travel_minutes ?? "—").join(" / "))}</td><td>${esc(Math.round(x.cost * 100) / 100)}</td>
          <td>${(ex.seats || []).map((s) => `${esc(s.expert)} p=${esc(s.proficiency ?? "—")}`).join("<br>")}</td></tr>`;
      }));
      $("#rec-reasons").innerHTML = (r.reasons || []).map((x) => `<li>${esc(x)}</li>`).join("");
      say(status, T.done, "ok");
    } catch (e) { say(status, `${T.error}: ${e.message}`, "error"); }
  };
}

// ---- 3. rotation calendar --------------------------------------------------------------------
async function rotationPage() {
  let plan = null, previous = null;
  const key = (e) => `${e.judge}|${e.center}|${e.slot.date}|${e.slot.half}`;

  function draw() {
    if (!plan) return;
    const judge = $("#judge-filter").value, s = plan.summary;
    const weeks = s.weeks, start = new Date(s.start + "T00:00:00Z");
    const before = previous ? new Set(previous.entries.map(key)) : null;
    const centers = [...new Set([...(s.coverage || []).map((c) => c.center), ...plan.entries.map((e) => e.center)])].sort();
    const cov = Object.fromEntries((s.coverage || []).map((c) => [`${c.center}|${c.week}`, c]));
    $("#grid thead").innerHTML = `<tr><th>${T.center}</th>` + Array.from({length: weeks}, (_, w) => {
      const d = new Date(start.getTime() + w * 7 * 86400000).toISOString().slice(5, 10); return `<th>${T.week} ${w + 1}<br><span class="muted">${d}</span></th>`;
    }).join("") + "</tr>";
    let changed = 0;
    $("#grid tbody").innerHTML = centers.map((c) => `<tr><th>${esc(c)}</th>` + Array.from({length: weeks}, (_, w) => {
      const inCell = (e) => e.center === c && Math.floor((new Date(e.slot.date + "T00:00:00Z") - start) / (7 * 86400000)) === w && (!judge || e.judge === judge);
      const here = plan.entries.filter(inCell);
      const cv = cov[`${c}|${w + 1}`], short = cv && cv.planned < cv.required;
      const label = (e) => `${esc(e.judge)} <span class="muted">${esc(e.slot.date.slice(5))} ${esc(e.slot.half)}</span>`;
      let items = here.map((e) => { const n = before && !before.has(key(e)); if (n) changed++; return `<li class="${n ? "changed" : ""}">${label(e)}</li>`; }).join("");
      if (before) {  // what the re-plan took away, struck through
        const now = new Set(plan.entries.map(key));
        items += previous.entries.filter((e) => inCell(e) && !now.has(key(e))).map((e) => { changed++; return `<li class="removed"><s>${label(e)}</s></li>`; }).join("");
      }
      return `<td class="${short ? "short" : ""}">${cv ? `<span class="muted">${cv.planned}/${cv.required}</span>` : ""}<ul>${items}</ul></td>`;
    }).join("") + "</tr>").join("");
    say($("#plan-status"), `${T.done} (${plan.status})`, "ok");
    if (before) { $("#changes-note").hidden = false; $("#changes-count").textContent = changed; }
    $("#shortfalls").innerHTML = (s.coverage || []).filter((c) => c.planned < c.required)
      .map((c) => `<li class="short">${esc(c.center)} · ${T.week} ${c.week}: ${c.planned}/${c.required}</li>`).join("") || `<li class="muted">${T.none}</li>`;
    const ical = $("#ical"); ical.hidden = false;
    ical.href = `/ui/api/rotation/plans/${plan.id}/ical` + (judge ? `?judge=${encodeURIComponent(judge)}` : "");
  }

  async function makePlan() {
    const status = $("#plan-status");
    say(status, T.running);
    const job = await api("/rotation/plans", {method: "POST", body: {weeks: Number($("#weeks").value), time_limit_s: 3}});
    const done = await waitJob(job.id, (j) => say(status, `${T.running} ${Math.round(j.progress * 100)}%`));
    if (done.status !== "succeeded") { say(status, `${T.failed}: ${done.error || done.status}`, "error"); return null; }
    return api("/rotation/plans/" + done.result_id);
  }

  const roster = (await api("/experts?role=judge&limit=5000")).map((j) => j.id);
  function judges() {  // everyone on the roster (an absent judge may drop out of the plan)
    const js = [...new Set([...roster, ...plan.entries.map((e) => e.judge)])].sort();
    const f = $("#judge-filter"), keep = f.value;
    f.innerHTML = `<option value="">${T.all_judges}</option>` + js.map((j) => `<option value="${esc(j)}">${esc(j)}</option>`).join(""); f.value = keep;
    $("#absent-judge").innerHTML = js.map((j) => `<option value="${esc(j)}">${esc(j)}</option>`).join("");
    $("#absent-from").value = $("#absent-from").value || plan.summary.start;
    $("#absent-to").value = $("#absent-to").value || plan.summary.start;
    $("#absence").hidden = false;
  }

  $("#plan").onclick = async () => {
    try { const p = await makePlan(); if (p) { plan = p; previous = null; $("#changes-note").hidden = true; judges(); draw(); } }
    catch (e) { say($("#plan-status"), `${T.error}: ${e.message}`, "error"); }
  };
  $("#judge-filter").onchange = draw;
  $("#absent-btn").onclick = async () => {
    try {
      await api(`/experts/${encodeURIComponent($("#absent-judge").value)}/leave`, {method: "POST", body: {start: $("#absent-from").value, end: $("#absent-to").value}});
      const p = await makePlan();
      if (p) { previous = plan; plan = p; judges(); draw(); }
    } catch (e) { say($("#plan-status"), `${T.error}: ${e.message}`, "error"); }
  };
}

// ---- 4. scenario comparison ------------------------------------------------------------------
async function comparePage() {
  const cat = await api("/simulations/catalogue");
  $("#base").innerHTML = cat.map((c) => `<option value="${esc(c.name)}">${esc(c.name)} (${esc(c.kind)})</option>`).join("");
  function variants() {
    const base = cat.find((c) => c.name === $("#base").value);
    $("#variants").innerHTML = cat.filter((c) => c.kind === "variant" && c.name !== base.name && c.base === base.base)
      .map((c) => `<label class="check"><input type="checkbox" value="${esc(c.name)}"> ${esc(c.name)} <span class="muted">${esc(c.description)}</span></label>`).join("");
  }
  const pref = cat.find((c) => c.name === "sajin-base") || cat[0];
  $("#base").value = pref.name; variants();
  $("#base").onchange = variants;
  $("#run").onclick = async () => {
    const status = $("#run-status"), bar = $("#progress");
    const chosen = [...document.querySelectorAll("#variants input:checked")].map((x) => x.value);
    try {
      say(status, T.running); bar.value = 0;
      const job = await api("/simulations", {method: "POST", body: {variants: [$("#base").value, ...chosen], days: Number($("#days").value), replications: Number($("#reps").value)}});
      const done = await waitJob(job.id, (j) => { bar.value = j.progress; say(status, `${T.progress} ${Math.round(j.progress * 100)}%`); });
      if (done.status !== "succeeded") return say(status, `${T.failed}: ${done.error || done.status}`, "error");
      bar.value = 1;
      const r = await api("/simulations/" + done.result_id);
      const names = r.variants.map((v) => v.name);
      $("#kpis thead").innerHTML = `<tr><th>${T.kpi}</th>` + names.map((n) => `<th>${esc(n)}</th>`).join("") + "</tr>";
      const num = (x) => x == null ? "—" : Math.round(x * 1000) / 1000;
      $("#kpis tbody").innerHTML = Object.entries(r.kpis).map(([k, per]) => `<tr><th>${esc(k)}</th>` + names.map((n) => {
        const e = per[n]; if (!e) return "<td>—</td>";
        const d = e.difference ? `<br><span class="${e.difference.significant ? "sig" : "muted"}">Δ ${num(e.difference.mean)} ± ${num(e.difference.half_width)}</span>` : "";
        return `<td>${num(e.mean)} ± ${num(e.half_width)}${d}</td>`;
      }).join("") + "</tr>").join("");
      const frame = $("#report"); frame.hidden = false; frame.src = `/ui/api/simulations/${done.result_id}/report.html`;
      say(status, T.done, "ok");
    } catch (e) { say(status, `${T.error}: ${e.message}`, "error"); }
  };
}

const pages = {queue: queuePage, urgent: urgentPage, rotation: rotationPage, compare: comparePage};
const run = pages[document.body.dataset.page];
if (run) run().catch((e) => { const m = document.createElement("p"); m.className = "error"; m.textContent = `${T.error}: ${e.message}`; document.querySelector("main").prepend(m); });
