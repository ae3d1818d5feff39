// Interactive quizzes of the course book. Checks answers in the browser only; nothing is
// sent anywhere and nothing is stored.
//
// The scoring below is a port of casebook/quiz/scoring.py, which stays the reference:
// tests/test_conformance.py generates a table of answers and expected credits from the
// Python (every question type, the forgiving spellings and the unreadable answers) and
// runs it through window.casebookQuiz.score in Chromium; any difference fails the test.
(function () {
  "use strict";

  // ---- scoring (mirrors scoring.py function by function) ----

  // str.isspace / re's \s, spelled out: JavaScript's \s is a different set.
  var WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var WS_RUN = new RegExp("[" + WS + "]+");
  var WS_ONE = new RegExp("^[" + WS + "]$");
  var WS_EDGES = new RegExp("^[" + WS + "]+|[" + WS + "]+$", "g");
  var SPLIT = new RegExp("[" + WS + ",;，；、]+");
  var GLOSS = new RegExp("[()\\[\\]【】〔〕〖〗/]|[" + WS + "]+-+[" + WS + "]+|[" + WS + "]*[‐‒–—―]+[" + WS + "]*");
  var NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  var PUNCT = /^\p{P}$/u;
  var ASCII_WORD = /^[a-z0-9]$/;
  var KEY_EDGE = "()（）.。 ";
  var TRUE = ["true", "t", "yes", "y", "1", "对", "是", "正确", "√", "✓"];
  var FALSE = ["false", "f", "no", "n", "0", "错", "否", "错误", "×", "✗"];
  // Where Python's str.casefold differs from lower() on a character NFKC leaves alone
  // (generated from Python; tests/test_conformance.py checks it and prints a new line).
  var FOLD = {"\u00df":"ss","\u01f0":"j\u030c","\u0345":"\u03b9","\u0390":"\u03b9\u0308\u0301","\u03b0":"\u03c5\u0308\u0301","\u03c2":"\u03c3","\u13a0":"\u13a0","\u13a1":"\u13a1","\u13a2":"\u13a2","\u13a3":"\u13a3","\u13a4":"\u13a4","\u13a5":"\u13a5","\u13a6":"\u13a6","\u13a7":"\u13a7","\u13a8":"\u13a8","\u13a9":"\u13a9","\u13aa":"\u13aa","\u13ab":"\u13ab","\u13ac":"\u13ac","\u13ad":"\u13ad","\u13ae":"\u13ae","\u13af":"\u13af","\u13b0":"\u13b0","\u13b1":"\u13b1","\u13b2":"\u13b2","\u13b3":"\u13b3","\u13b4":"\u13b4","\u13b5":"\u13b5","\u13b6":"\u13b6","\u13b7":"\u13b7","\u13b8":"\u13b8","\u13b9":"\u13b9","\u13ba":"\u13ba","\u13bb":"\u13bb","\u13bc":"\u13bc","\u13bd":"\u13bd","\u13be":"\u13be","\u13bf":"\u13bf","\u13c0":"\u13c0","\u13c1":"\u13c1","\u13c2":"\u13c2","\u13c3":"\u13c3","\u13c4":"\u13c4","\u13c5":"\u13c5","\u13c6":"\u13c6","\u13c7":"\u13c7","\u13c8":"\u13c8","\u13c9":"\u13c9","\u13ca":"\u13ca","\u13cb":"\u13cb","\u13cc":"\u13cc","\u13cd":"\u13cd","\u13ce":"\u13ce","\u13cf":"\u13cf","\u13d0":"\u13d0","\u13d1":"\u13d1","\u13d2":"\u13d2","\u13d3":"\u13d3","\u13d4":"\u13d4","\u13d5":"\u13d5","\u13d6":"\u13d6","\u13d7":"\u13d7","\u13d8":"\u13d8","\u13d9":"\u13d9","\u13da":"\u13da","\u13db":"\u13db","\u13dc":"\u13dc","\u13dd":"\u13dd","\u13de":"\u13de","\u13df":"\u13df","\u13e0":"\u13e0","\u13e1":"\u13e1","\u13e2":"\u13e2","\u13e3":"\u13e3","\u13e4":"\u13e4","\u13e5":"\u13e5","\u13e6":"\u13e6","\u13e7":"\u13e7","\u13e8":"\u13e8","\u13e9":"\u13e9","\u13ea":"\u13ea","\u13eb":"\u13eb","\u13ec":"\u13ec","\u13ed":"\u13ed","\u13ee":"\u13ee","\u13ef":"\u13ef","\u13f0":"\u13f0","\u13f1":"\u13f1","\u13f2":"\u13f2","\u13f3":"\u13f3","\u13f4":"\u13f4","\u13f5":"\u13f5","\u13f8":"\u13f0","\u13f9":"\u13f1","\u13fa":"\u13f2","\u13fb":"\u13f3","\u13fc":"\u13f4","\u13fd":"\u13f5","\u1c80":"\u0432","\u1c81":"\u0434","\u1c82":"\u043e","\u1c83":"\u0441","\u1c84":"\u0442","\u1c85":"\u0442","\u1c86":"\u044a","\u1c87":"\u0463","\u1c88":"\ua64b","\u1e96":"h\u0331","\u1e97":"t\u0308","\u1e98":"w\u030a","\u1e99":"y\u030a","\u1e9e":"ss","\u1f50":"\u03c5\u0313","\u1f52":"\u03c5\u0313\u0300","\u1f54":"\u03c5\u0313\u0301","\u1f56":"\u03c5\u0313\u0342","\u1f80":"\u1f00\u03b9","\u1f81":"\u1f01\u03b9","\u1f82":"\u1f02\u03b9","\u1f83":"\u1f03\u03b9","\u1f84":"\u1f04\u03b9","\u1f85":"\u1f05\u03b9","\u1f86":"\u1f06\u03b9","\u1f87":"\u1f07\u03b9","\u1f88":"\u1f00\u03b9","\u1f89":"\u1f01\u03b9","\u1f8a":"\u1f02\u03b9","\u1f8b":"\u1f03\u03b9","\u1f8c":"\u1f04\u03b9","\u1f8d":"\u1f05\u03b9","\u1f8e":"\u1f06\u03b9","\u1f8f":"\u1f07\u03b9","\u1f90":"\u1f20\u03b9","\u1f91":"\u1f21\u03b9","\u1f92":"\u1f22\u03b9","\u1f93":"\u1f23\u03b9","\u1f94":"\u1f24\u03b9","\u1f95":"\u1f25\u03b9","\u1f96":"\u1f26\u03b9","\u1f97":"\u1f27\u03b9","\u1f98":"\u1f20\u03b9","\u1f99":"\u1f21\u03b9","\u1f9a":"\u1f22\u03b9","\u1f9b":"\u1f23\u03b9","\u1f9c":"\u1f24\u03b9","\u1f9d":"\u1f25\u03b9","\u1f9e":"\u1f26\u03b9","\u1f9f":"\u1f27\u03b9","\u1fa0":"\u1f60\u03b9","\u1fa1":"\u1f61\u03b9","\u1fa2":"\u1f62\u03b9","\u1fa3":"\u1f63\u03b9","\u1fa4":"\u1f64\u03b9","\u1fa5":"\u1f65\u03b9","\u1fa6":"\u1f66\u03b9","\u1fa7":"\u1f67\u03b9","\u1fa8":"\u1f60\u03b9","\u1fa9":"\u1f61\u03b9","\u1faa":"\u1f62\u03b9","\u1fab":"\u1f63\u03b9","\u1fac":"\u1f64\u03b9","\u1fad":"\u1f65\u03b9","\u1fae":"\u1f66\u03b9","\u1faf":"\u1f67\u03b9","\u1fb2":"\u1f70\u03b9","\u1fb3":"\u03b1\u03b9","\u1fb4":"\u03ac\u03b9","\u1fb6":"\u03b1\u0342","\u1fb7":"\u03b1\u0342\u03b9","\u1fbc":"\u03b1\u03b9","\u1fc2":"\u1f74\u03b9","\u1fc3":"\u03b7\u03b9","\u1fc4":"\u03ae\u03b9","\u1fc6":"\u03b7\u0342","\u1fc7":"\u03b7\u0342\u03b9","\u1fcc":"\u03b7\u03b9","\u1fd2":"\u03b9\u0308\u0300","\u1fd6":"\u03b9\u0342","\u1fd7":"\u03b9\u0308\u0342","\u1fe2":"\u03c5\u0308\u0300","\u1fe4":"\u03c1\u0313","\u1fe6":"\u03c5\u0342","\u1fe7":"\u03c5\u0308\u0342","\u1ff2":"\u1f7c\u03b9","\u1ff3":"\u03c9\u03b9","\u1ff4":"\u03ce\u03b9","\u1ff6":"\u03c9\u0342","\u1ff7":"\u03c9\u0342\u03b9","\u1ffc":"\u03c9\u03b9","\uab70":"\u13a0","\uab71":"\u13a1","\uab72":"\u13a2","\uab73":"\u13a3","\uab74":"\u13a4","\uab75":"\u13a5","\uab76":"\u13a6","\uab77":"\u13a7","\uab78":"\u13a8","\uab79":"\u13a9","\uab7a":"\u13aa","\uab7b":"\u13ab","\uab7c":"\u13ac","\uab7d":"\u13ad","\uab7e":"\u13ae","\uab7f":"\u13af","\uab80":"\u13b0","\uab81":"\u13b1","\uab82":"\u13b2","\uab83":"\u13b3","\uab84":"\u13b4","\uab85":"\u13b5","\uab86":"\u13b6","\uab87":"\u13b7","\uab88":"\u13b8","\uab89":"\u13b9","\uab8a":"\u13ba","\uab8b":"\u13bb","\uab8c":"\u13bc","\uab8d":"\u13bd","\uab8e":"\u13be","\uab8f":"\u13bf","\uab90":"\u13c0","\uab91":"\u13c1","\uab92":"\u13c2","\uab93":"\u13c3","\uab94":"\u13c4","\uab95":"\u13c5","\uab96":"\u13c6","\uab97":"\u13c7","\uab98":"\u13c8","\uab99":"\u13c9","\uab9a":"\u13ca","\uab9b":"\u13cb","\uab9c":"\u13cc","\uab9d":"\u13cd","\uab9e":"\u13ce","\uab9f":"\u13cf","\uaba0":"\u13d0","\uaba1":"\u13d1","\uaba2":"\u13d2","\uaba3":"\u13d3","\uaba4":"\u13d4","\uaba5":"\u13d5","\uaba6":"\u13d6","\uaba7":"\u13d7","\uaba8":"\u13d8","\uaba9":"\u13d9","\uabaa":"\u13da","\uabab":"\u13db","\uabac":"\u13dc","\uabad":"\u13dd","\uabae":"\u13de","\uabaf":"\u13df","\uabb0":"\u13e0","\uabb1":"\u13e1","\uabb2":"\u13e2","\uabb3":"\u13e3","\uabb4":"\u13e4","\uabb5":"\u13e5","\uabb6":"\u13e6","\uabb7":"\u13e7","\uabb8":"\u13e8","\uabb9":"\u13e9","\uabba":"\u13ea","\uabbb":"\u13eb","\uabbc":"\u13ec","\uabbd":"\u13ed","\uabbe":"\u13ee","\uabbf":"\u13ef"};

  function casefold(s) {
    var out = "";
    for (var ch of s) { out += Object.prototype.hasOwnProperty.call(FOLD, ch) ? FOLD[ch] : ch.toLowerCase(); }
    return out;
  }
  function pyStrip(s) { return s.replace(WS_EDGES, ""); }
  function isEdge(ch) { return WS_ONE.test(ch) || PUNCT.test(ch); }
  function normText(s) {
    var t = casefold(String(s).normalize("NFKC")).split(WS_RUN).filter(Boolean).join(" ");
    var chars = Array.from(t), a = 0, b = chars.length;
    while (a < b && isEdge(chars[a])) { a++; }
    while (b > a && isEdge(chars[b - 1])) { b--; }
    return chars.slice(a, b).join("");
  }
  function isBlank(value) {
    if (value === null || value === undefined) { return true; }
    if (typeof value === "string") { return pyStrip(value) === ""; }
    if (Array.isArray(value)) { return value.length === 0; }
    if (typeof value === "object") { return Object.keys(value).length === 0; }
    return false;
  }
  function fold(text) { return casefold(pyStrip(text.normalize("NFKC"))); }
  function stripChars(s, chars) {
    var a = 0, b = s.length;
    while (a < b && chars.indexOf(s[a]) >= 0) { a++; }
    while (b > a && chars.indexOf(s[b - 1]) >= 0) { b--; }
    return s.slice(a, b);
  }
  function key(value) {
    var text;
    if (typeof value === "string") { text = value; }
    else if (typeof value === "number" && Number.isInteger(value)) { text = String(value); }
    else { return null; }
    return stripChars(fold(text), KEY_EDGE) || null;
  }
  function singleKey(value) { return key(Array.isArray(value) && value.length === 1 ? value[0] : value); }
  function keyList(value) {
    if (typeof value === "string") { value = value.split(SPLIT).filter(Boolean); }
    if (!Array.isArray(value)) { return null; }
    var keys = [];
    for (var i = 0; i < value.length; i++) {
      var k = key(value[i]);
      if (k === null) { return null; }
      keys.push(k);
    }
    return keys;
  }
  function number(value) {
    var x;
    if (typeof value === "number") { x = value; }
    else if (typeof value === "string") {
      var text = pyStrip(value.normalize("NFKC").replace(/,/g, "").replace(/\u2212/g, "-"));
      if (!NUMBER.test(text)) { return null; }
      x = Number(text);
    } else { return null; }
    return isFinite(x) ? x : null;
  }
  function truth(value) {
    if (typeof value === "boolean") { return value; }
    if (value === 0 || value === 1) { return value === 1; }
    if (typeof value === "string") {
      var t = fold(value);
      if (TRUE.indexOf(t) >= 0) { return true; }
      if (FALSE.indexOf(t) >= 0) { return false; }
    }
    return null;
  }
  function outcomeOf(f) { return f >= 1 ? "right" : f > 0 ? "partial" : "wrong"; }
  function close(x, target, tolerance) {
    return Math.abs(x - target) <= tolerance + 1e-9 * Math.max(1, Math.abs(target));
  }
  function glossParts(text) { return text.split(GLOSS).map(normText).filter(Boolean); }
  function contains(text, form) {
    var start = text.indexOf(form);
    while (start >= 0) {
      var end = start + form.length;
      var before = start === 0 || !ASCII_WORD.test(text[start - 1]);
      var after = end === text.length || !ASCII_WORD.test(text[end]);
      if (before && after) { return true; }
      start = text.indexOf(form, start + 1);
    }
    return false;
  }
  function textVerdict(q, value) {
    var text = normText(value), accept = q.accept, wrong = q.wrong || [], i;
    if (accept.indexOf(text) >= 0) { return [true, ""]; }
    for (i = 0; i < wrong.length; i++) { if (text === wrong[i][0]) { return [false, wrong[i][1]]; } }
    var parts = glossParts(text);
    if (parts.length < 2) { return [false, ""]; }
    var others = parts.filter(function (p) { return accept.indexOf(p) < 0; });
    for (i = 0; i < wrong.length; i++) {
      var form = wrong[i][0];
      if (others.some(function (p) { return contains(p, form); })) { return [false, wrong[i][1]]; }
    }
    return [others.length < parts.length, ""];
  }
  function orderingFraction(answer, given) {
    var pos = {};
    given.forEach(function (k, i) { if (!Object.prototype.hasOwnProperty.call(pos, k)) { pos[k] = i; } });
    var has = function (k) { return Object.prototype.hasOwnProperty.call(pos, k); };
    var n = answer.length;
    if (n === 1) { return has(answer[0]) ? 1 : 0; }
    var good = 0;
    for (var i = 0; i < n; i++) {
      for (var j = i + 1; j < n; j++) {
        if (has(answer[i]) && has(answer[j]) && pos[answer[i]] < pos[answer[j]]) { good++; }
      }
    }
    return good / (n * (n - 1) / 2);
  }
  function note(q, k) {
    var notes = q.misconceptions || {};
    return Object.prototype.hasOwnProperty.call(notes, k) ? notes[k] : "";
  }

  // One entry per question type: [credit, outcome, note], and the misconception.
  var TYPES = {
    single: {
      credit: function (q, v) {
        var k = singleKey(v);
        if (k === null) { return [0, "invalid", 'expected one option key in quotes, e.g. "b"']; }
        if (q.options.indexOf(k) < 0) { return [0, "wrong", k + " is not one of the options (" + q.options.join(", ") + ")"]; }
        return k === q.answer ? [1, "right", ""] : [0, "wrong", ""];
      },
      misconception: function (q, v) { var k = singleKey(v); return k !== null && k !== q.answer ? note(q, k) : ""; }
    },
    multiple: {
      credit: function (q, v) {
        var keys = keyList(v);
        if (keys === null) { return [0, "invalid", 'expected a list of option keys, e.g. ["a", "c"]']; }
        var picks = keys.filter(function (k, i) { return keys.indexOf(k) === i; });
        var hit = picks.filter(function (k) { return q.answer.indexOf(k) >= 0; }).length;
        var f = Math.max(0, (hit - (picks.length - hit)) / q.answer.length);
        return [f, outcomeOf(f), ""];
      },
      misconception: function (q, v) {
        var keys = keyList(v) || [];
        return keys.filter(function (k, i) { return keys.indexOf(k) === i && note(q, k); })
          .map(function (k) { return note(q, k); }).join(" ");
      }
    },
    true_false: {
      credit: function (q, v) {
        var t = truth(v);
        if (t === null) { return [0, "invalid", "expected True or False"]; }
        return t === q.answer ? [1, "right", ""] : [0, "wrong", ""];
      },
      misconception: function (q, v) { var t = truth(v); return t === null || t === q.answer ? "" : q.misconception || ""; }
    },
    numeric: {
      credit: function (q, v) {
        var x = number(v);
        if (x === null) { return [0, "invalid", "expected a number, e.g. 12.5"]; }
        return close(x, q.value, q.tolerance) ? [1, "right", ""] : [0, "wrong", ""];
      },
      misconception: function (q, v) {
        var x = number(v), wrong = q.wrong || [];
        if (x === null) { return ""; }
        for (var i = 0; i < wrong.length; i++) { if (close(x, wrong[i][0], q.tolerance)) { return wrong[i][1]; } }
        return "";
      }
    },
    ordering: {
      credit: function (q, v) {
        var keys = keyList(v);
        if (keys === null) { return [0, "invalid", 'expected a list of item keys in order, e.g. ["c", "a", "b"]']; }
        var f = orderingFraction(q.answer, keys);
        return [f, outcomeOf(f), ""];
      },
      misconception: function () { return ""; }
    },
    matching: {
      credit: function (q, v) {
        if (typeof v !== "object" || Array.isArray(v)) { return [0, "invalid", 'expected a dict, e.g. {"a": "x", "b": "y"}']; }
        var given = {};
        Object.keys(v).forEach(function (k) { given[key(k)] = key(v[k]); });
        var lefts = Object.keys(q.answer), good = 0;
        lefts.forEach(function (k) { if (Object.prototype.hasOwnProperty.call(given, k) && given[k] === q.answer[k]) { good++; } });
        var f = good / lefts.length;
        return [f, outcomeOf(f), ""];
      },
      misconception: function () { return ""; }
    },
    short_text: {
      credit: function (q, v) {
        if (typeof v !== "string" && typeof v !== "number") { return [0, "invalid", "expected text in quotes"]; }
        return textVerdict(q, String(v))[0] ? [1, "right", ""] : [0, "wrong", ""];
      },
      misconception: function (q, v) { return typeof v === "string" ? textVerdict(q, v)[1] : ""; }
    },
    written: {
      credit: function (q, v) {
        return typeof v === "string" ? [0, "manual", ""] : [0, "invalid", "expected text between the triple quotes"];
      },
      misconception: function () { return ""; }
    }
  };

  // {credit, outcome, note, misconception}: the grader's verdict on one answer. The
  // misconception is given, as in the grader's feedback, only for wrong and partial answers.
  function score(q, value) {
    if (isBlank(value)) { return { credit: 0, outcome: "blank", note: "", misconception: "" }; }
    var type = TYPES[q.type];
    if (!type) { return { credit: 0, outcome: "invalid", note: "unknown question type " + q.type, misconception: "" }; }
    var r = type.credit(q, value);
    var hint = (r[1] === "wrong" || r[1] === "partial") && !q.manual ? type.misconception(q, value) : "";
    return { credit: r[0], outcome: r[1], note: r[2], misconception: hint };
  }

  window.casebookQuiz = { score: score, normText: normText, markZh: escZh, TYPES: Object.keys(TYPES),
                         FOLD: FOLD };

  // ---- the page ----

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" }[c];  // as Python's html.escape
    });
  }

  // How each type's answer is read from its form controls (rendered by sphinx/quiz.py).
  var READ = {
    single: function (section) { var r = section.querySelector("input:checked"); return r ? r.value : null; },
    true_false: function (section) { var r = section.querySelector("input:checked"); return r ? r.value : null; },
    multiple: function (section) {
      return Array.prototype.map.call(section.querySelectorAll("input:checked"), function (i) { return i.value; });
    },
    numeric: function (section) { return section.querySelector(".cbq-input").value; },
    short_text: function (section) { return section.querySelector(".cbq-input").value; },
    ordering: function (section) {
      return Array.prototype.map.call(section.querySelectorAll(".cbq-item"), function (li) { return li.dataset.key; });
    },
    matching: function (section) {
      var out = {};
      section.querySelectorAll(".cbq-select").forEach(function (s) { if (s.value) { out[s.dataset.key] = s.value; } });
      return out;
    },
    written: function () { return null; }
  };
  window.casebookQuiz.READ = Object.keys(READ);

  function leftOut(q, value) {
    // Multiple choice: name the right options the answer missed (the page shows the key anyway).
    if (q.type !== "multiple") { return ""; }
    var keys = keyList(value) || [];
    return q.answer.filter(function (k) { return keys.indexOf(k) < 0; })
      .map(function (k) { return "You left out option " + k + "."; }).join(" ");
  }

  // Chinese runs in text written into the page get lang="zh-Hans" (WCAG 3.1.2); the same rule
  // as casebook/edition/lang.py, which marks what the book renders at build time
  // (tests/test_conformance.py holds markZh to lang.html_marked).
  var CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef";
  var ZH_RUN = new RegExp("[" + CJK + "]+(?:[\\s0-9.,%·“”‘’\"'-]*[" + CJK + "]+)*", "g");
  function escZh(s) {
    // Runs are found in the text, then each piece is escaped, as lang.html_marked does: a
    // quotation mark inside a run joins it, and would not once escaped to &quot;.
    var text = String(s), out = "", at = 0, m;
    ZH_RUN.lastIndex = 0;
    while ((m = ZH_RUN.exec(text)) !== null) {
      out += esc(text.slice(at, m.index)) + '<span lang="zh-Hans">' + esc(m[0]) + "</span>";
      at = ZH_RUN.lastIndex;
    }
    return out + esc(text.slice(at));
  }

  function feedback(q, value, result) {
    if (result.outcome === "blank") {
      return '<p class="cbq-verdict cbq-blank">Answer the question first.</p>';
    }
    if (result.outcome === "invalid") {
      return '<p class="cbq-verdict cbq-invalid">This answer cannot be read: ' + esc(result.note) + ".</p>";
    }
    var f = result.credit, cls = result.outcome;
    var label = f >= 1 ? "Right." : f > 0 ? "Partly right (" + Math.round(f * 100) + "% of the points)." : "Not right.";
    var html = '<p class="cbq-verdict cbq-' + cls + '">' + label + "</p>";
    var hint = [result.misconception, leftOut(q, value)].filter(Boolean).join(" ");
    if (hint) { html += '<p class="cbq-misconception"><strong>What this answer suggests:</strong> ' + escZh(hint) + "</p>"; }
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
  // nothing usable was answered, back to the question's first control; the live region says
  // the verdict and the score either way.
  function afterCheck(root, section, result) {
    var title = section.querySelector(".cbq-title").firstChild.textContent.trim();
    var verdict = section.querySelector(".cbq-verdict");
    var score = root.querySelector(".cbq-summary");
    var unscored = result.outcome === "blank" || result.outcome === "invalid";
    announce(root, title + ": " + (verdict ? verdict.textContent : "") +
      (unscored ? "" : " " + score.textContent.replace(/\s+/g, " ").trim()));
    if (unscored) {
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
        var value = READ[q.type](section);
        var result = score(q, value);
        var box = section.querySelector(".cbq-feedback");
        box.innerHTML = feedback(q, value, result);
        section.dataset.state = result.outcome;
        if (result.outcome !== "blank" && result.outcome !== "invalid") {
          earned[q.id] = result.credit * q.points;
          updateSummary();
        }
        afterCheck(root, section, result);
      });
    });
  }

  function init() { document.querySelectorAll(".cbq-quiz").forEach(initQuiz); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
