// Interactive quizzes of the course book. Checks answers in the browser only; the rules
// mirror casebook/scoring.py (partial credit for multiple, ordering and matching; never
// negative). Nothing is sent anywhere and nothing is stored.
(function () {
  "use strict";

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function normText(s) {
    var t = String(s).normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean).join(" ");
    var edge = /[\s\p{P}]/u;
    var a = 0, b = t.length;
    while (a < b && edge.test(t[a])) { a++; }
    while (b > a && edge.test(t[b - 1])) { b--; }
    return t.slice(a, b);
  }
  function orderingFraction(answer, given) {
    var pos = {};
    given.forEach(function (k, i) { if (!(k in pos)) { pos[k] = i; } });
    var n = answer.length;
    if (n === 1) { return answer[0] in pos ? 1 : 0; }
    var good = 0;
    for (var i = 0; i < n; i++) {
      for (var j = i + 1; j < n; j++) {
        if (answer[i] in pos && answer[j] in pos && pos[answer[i]] < pos[answer[j]]) { good++; }
      }
    }
    return good / (n * (n - 1) / 2);
  }

  function read(section, type) {
    if (type === "single" || type === "true_false") {
      var r = section.querySelector("input:checked");
      return r ? r.value : null;
    }
    if (type === "multiple") {
      return Array.prototype.map.call(section.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    if (type === "numeric" || type === "short_text") {
      var v = section.querySelector(".cbq-input").value.trim();
      return v === "" ? null : v;
    }
    if (type === "ordering") {
      return Array.prototype.map.call(section.querySelectorAll(".cbq-item"), function (li) { return li.dataset.key; });
    }
    if (type === "matching") {
      var out = {};
      section.querySelectorAll(".cbq-select").forEach(function (s) { if (s.value) { out[s.dataset.key] = s.value; } });
      return out;
    }
    return null;
  }

  // Returns [fraction, misconception or ""] ; null when nothing was answered.
  function score(q, value) {
    var t = q.type;
    if (value === null || (Array.isArray(value) && value.length === 0 && t === "multiple")) { return null; }
    if (t === "matching" && Object.keys(value).length === 0) { return null; }
    if (t === "single") {
      return value === q.answer ? [1, ""] : [0, q.misconceptions[value] || ""];
    }
    if (t === "multiple") {
      var right = q.answer, hit = 0, miss = 0, notes = [];
      value.forEach(function (k) {
        if (right.indexOf(k) >= 0) { hit++; } else { miss++; if (q.misconceptions[k]) { notes.push(q.misconceptions[k]); } }
      });
      right.forEach(function (k) { if (value.indexOf(k) < 0) { notes.push("You left out option " + k + "."); } });
      return [Math.max(0, (hit - miss) / right.length), notes.join(" ")];
    }
    if (t === "true_false") {
      var truth = value === "true";
      return truth === q.answer ? [1, ""] : [0, q.misconception || ""];
    }
    if (t === "numeric") {
      var x = parseFloat(String(value).replace(/[,，]/g, ""));
      if (!isFinite(x)) { return [0, "Please enter a number."]; }
      if (Math.abs(x - q.value) <= q.tolerance + 1e-9 * Math.max(1, Math.abs(q.value))) { return [1, ""]; }
      var note = "";
      (q.wrong || []).forEach(function (w) { if (Math.abs(x - w[0]) <= q.tolerance + 1e-9) { note = w[1]; } });
      return [0, note];
    }
    if (t === "short_text") {
      var s = normText(value);
      if (q.accept.indexOf(s) >= 0) { return [1, ""]; }
      var n2 = "";
      (q.wrong || []).forEach(function (w) { if (w[0] === s) { n2 = w[1]; } });
      return [0, n2];
    }
    if (t === "ordering") { return [orderingFraction(q.answer, value), ""]; }
    if (t === "matching") {
      var keys = Object.keys(q.answer), good = 0;
      keys.forEach(function (k) { if (value[k] === q.answer[k]) { good++; } });
      return [good / keys.length, ""];
    }
    return [0, ""];
  }

  // Chinese runs in text written into the page get lang="zh-Hans" (WCAG 3.1.2); the same rule
  // as casebook/edition/lang.py, which marks what the book renders at build time.
  var CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef";
  var ZH_RUN = new RegExp("[" + CJK + "]+(?:[\\s0-9.,%·“”‘’\"'-]*[" + CJK + "]+)*", "g");
  function escZh(s) {
    return esc(s).replace(ZH_RUN, function (run) { return '<span lang="zh-Hans">' + run + "</span>"; });
  }

  function feedback(q, result) {
    if (result === null) {
      return '<p class="cbq-verdict cbq-blank">Answer the question first.</p>';
    }
    var f = result[0], cls = f >= 1 ? "right" : f > 0 ? "partial" : "wrong";
    var label = f >= 1 ? "Right." : f > 0 ? "Partly right (" + Math.round(f * 100) + "% of the points)." : "Not right.";
    var html = '<p class="cbq-verdict cbq-' + cls + '">' + label + "</p>";
    if (result[1]) { html += '<p class="cbq-misconception"><strong>What this answer suggests:</strong> ' + escZh(result[1]) + "</p>"; }
    if (f < 1) { html += '<p class="cbq-right"><strong>Answer:</strong> ' + escZh(q.right_text) + "</p>"; }
    html += '<div class="cbq-explanation">' + q.explanation + "</div>";
    q.evidence.forEach(function (ev) {
      html += '<blockquote class="cbq-evidence"><p lang="zh-Hans">“' + esc(ev.quote) + '”</p>' +
        (ev.en ? '<details><summary>English of the paragraph</summary><p lang="en">' + esc(ev.en) + "</p></details>" : "") +
        '<p class="cbq-source"><a href="' + esc(ev.href) + '">Paragraph ' + esc(ev.para) + "</a></p></blockquote>";
    });
    return html;
  }

  function moveItem(li, dir) {
    var list = li.parentNode;
    if (dir < 0 && li.previousElementSibling) { list.insertBefore(li, li.previousElementSibling); }
    if (dir > 0 && li.nextElementSibling) { list.insertBefore(li.nextElementSibling, li); }
  }

  // What a screen reader hears: one polite live region per quiz, said once per change.
  function announce(root, text) {
    var region = root.querySelector(".cbq-announce");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  function positionText(li) {
    var items = Array.prototype.slice.call(li.parentNode.children);
    return li.querySelector(".cbq-item-text").textContent.trim() + ": position " +
      (items.indexOf(li) + 1) + " of " + items.length + ".";
  }
  // After Check: focus goes to the feedback just shown (read from its verdict on), or, when
  // nothing was answered, back to the question's first control; the live region says the
  // verdict and the score either way.
  function afterCheck(root, section, result) {
    var title = section.querySelector(".cbq-title").firstChild.textContent.trim();
    var verdict = section.querySelector(".cbq-verdict");
    var score = root.querySelector(".cbq-summary");
    announce(root, title + ": " + (verdict ? verdict.textContent : "") +
      (result === null ? "" : " " + score.textContent.replace(/\s+/g, " ").trim()));
    if (result === null) {
      var first = section.querySelector("input, select, .cbq-up");
      if (first) { first.focus(); }
    } else {
      section.querySelector(".cbq-feedback").focus();
    }
  }

  function initQuiz(root) {
    var keyNode = root.querySelector("script.cbq-key");
    if (!keyNode) { return; }
    var key = JSON.parse(keyNode.textContent);
    var earned = {};
    var summary = root.querySelector(".cbq-summary");
    function updateSummary() {
      var total = 0, done = 0;
      Object.keys(earned).forEach(function (k) { total += earned[k]; done++; });
      summary.querySelector(".cbq-score").textContent = (Math.round(total * 100) / 100).toString();
      summary.querySelector(".cbq-done").textContent = done.toString();
    }
    root.querySelectorAll("section.cbq").forEach(function (section) {
      var q = key.questions[section.dataset.qid];
      if (!q) { return; }
      section.querySelectorAll(".cbq-up, .cbq-down").forEach(function (btn) {
        btn.addEventListener("click", function () {
          var li = btn.closest(".cbq-item");
          moveItem(li, btn.classList.contains("cbq-up") ? -1 : 1);
          btn.focus();
          announce(root, positionText(li));
        });
      });
      section.querySelector(".cbq-check").addEventListener("click", function () {
        var result = score(q, read(section, q.type));
        var box = section.querySelector(".cbq-feedback");
        box.innerHTML = feedback(q, result);
        section.dataset.state = result === null ? "blank" : result[0] >= 1 ? "right" : result[0] > 0 ? "partial" : "wrong";
        if (result !== null) { earned[q.id] = result[0] * q.points; updateSummary(); }
        afterCheck(root, section, result);
      });
    });
  }

  function init() { document.querySelectorAll(".cbq-quiz").forEach(initQuiz); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
