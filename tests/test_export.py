"""Bank exports for LMSs, read back: GIFT through a parser that splits text as Moodle's does,
QTI by unzipping and parsing the XML; both compared with the bank question by question."""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from casebook import cli
from casebook.lms import general_feedback_md, gift, qti, write_banks
from casebook.quiz import bank

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "data" / "sample.yml"
NS = {"q": qti.QTI_NS, "cp": qti.CP_NS}
NASTY = 'a ~ b = c # d { e } f : g \\ h \\n i -> j <b>k</b> & "l" \'m\' 中文：“引号”'


@pytest.fixture(scope="module")
def banks() -> list[bank.Bank]:
    return bank.load_all(bank.discover(ROOT), ROOT)


@pytest.fixture(scope="module")
def nasty(tmp_path_factory: pytest.TempPathFactory) -> bank.Bank:
    """The sample bank with GIFT, XML and Markdown specials in every text the exports carry."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for q in data["questions"]:
        q["prompt"] = f"{q['prompt'].strip()}\n\nSecond line: {NASTY}\n"
        if q.get("explanation"):
            q["explanation"] = f"{q['explanation'].strip()} {NASTY}"
        for option in q.get("options") or []:
            option["text"] = f"{option['text']} {NASTY}"
            if option.get("misconception"):
                option["misconception"] = f"{option['misconception']} {NASTY}"
        for target in q.get("targets") or []:
            target["text"] = f"{target['text']} {NASTY}"
        if q.get("misconception"):
            q["misconception"] = f"{q['misconception']} {NASTY}"
        if q["type"] == "short_text":
            q["answer"]["accept"].append("a = b: {c} #d ~e \\f")
        for wrong in q.get("wrong") or []:
            wrong["misconception"] = f"{wrong['misconception']} {NASTY}"
    path = tmp_path_factory.mktemp("nasty") / "nasty.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return bank.load(path, ROOT)


# --- a GIFT reader that splits the way Moodle's qformat_gift does ------------------------------

ESCAPES = {"\\\\": "\x00", "\\~": "\x01", "\\=": "\x02", "\\#": "\x03", "\\{": "\x04", "\\}": "\x05",
           "\\:": "\x06", "\\n": "\x07"}
RESTORE = {"\x00": "\\", "\x01": "~", "\x02": "=", "\x03": "#", "\x04": "{", "\x05": "}", "\x06": ":",
           "\x07": "\n"}
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")


def protect(text: str) -> str:
    """Escaped characters become placeholders first, so splitting never sees them."""
    out, i = [], 0
    while i < len(text):
        pair = text[i:i + 2]
        if pair in ESCAPES:
            out.append(ESCAPES[pair])
            i += 2
        else:
            assert text[i] != "\\", f"unescaped backslash in {text[max(0, i - 20):i + 20]!r}"
            out.append(text[i])
            i += 1
    return "".join(out)


def restore(text: str) -> str:
    return "".join(RESTORE.get(ch, ch) for ch in text).strip()


def _answer(token: str) -> dict:
    mark, body = token[0], token[1:]
    weight = None
    match = WEIGHT.match(body)
    if match:
        weight, body = float(match[1]), body[match.end():]
    text, _, feedback = body.partition("#")
    return {"mark": mark, "weight": weight, "text": text, "feedback": restore(feedback)}


def parse_gift(text: str) -> list[dict]:
    questions = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [ln for ln in block.split("\n")
                 if not ln.lstrip().startswith("//") and not ln.startswith("$CATEGORY:")]
        body = protect("\n".join(lines)).strip()
        if not body:
            continue
        assert body.startswith("::"), body[:80]
        end = body.index("::", 2)
        name, rest = body[2:end], body[end + 2:]
        fmt = re.match(r"\[(\w+)\]", rest)
        rest = rest[fmt.end():] if fmt else rest
        start, stop = rest.index("{"), rest.rindex("}")
        answers = rest[start + 1:stop].strip()
        assert "{" not in answers and "}" not in answers and not rest[stop + 1:].strip()
        q = {"name": restore(name), "format": fmt[1] if fmt else None,
             "prompt": restore(rest[:start]), "general": None}
        if "####" in answers:
            cut = answers.rindex("####")
            q["general"], answers = restore(answers[cut + 4:]), answers[:cut].strip()
        if not answers:
            q["kind"], q["answers"] = "essay", []
        elif answers.startswith("#"):
            q["kind"] = "numerical"
            q["answers"] = []
            for token in answers[1:].split("="):
                if token.strip():
                    a = _answer("=" + token.strip())
                    value, _, tolerance = a["text"].partition(":")
                    q["answers"].append({**a, "value": float(value), "tolerance": float(tolerance or 0)})
        elif "~" in answers:
            q["kind"] = "multichoice"
            q["answers"] = [_answer(t.strip()) for t in re.split(r"(?=[=~])", answers) if t.strip()]
        elif "=" not in answers:
            value, *feedback = answers.split("#")
            q["kind"], q["answers"] = "truefalse", {"value": value.strip(),
                                                    "wrong": restore(feedback[0]) if feedback else "",
                                                    "right": restore(feedback[1]) if feedback[1:] else ""}
        elif "->" in answers:
            q["kind"] = "matching"
            pairs = [t.split("->") for t in answers.split("=") if t.strip()]
            assert all(len(p) == 2 for p in pairs), pairs
            q["answers"] = [(restore(left), restore(right)) for left, right in pairs]
        else:
            q["kind"] = "shortanswer"
            q["answers"] = [_answer("=" + t.strip()) for t in answers.split("=") if t.strip()]
        for a in q["answers"] if isinstance(q["answers"], list) else []:
            if isinstance(a, dict):
                a["text"] = restore(a["text"])
        questions.append(q)
    return questions


def md(text: str | None) -> str:
    """What a Markdown text inside the braces reads as once parsed ('->' kept as an entity)."""
    return (text or "").strip().replace("->", "-&gt;")


GIFT_KIND = {"single": "multichoice", "multiple": "multichoice", "true_false": "truefalse",
             "numeric": "numerical", "short_text": "shortanswer", "matching": "matching",
             "written": "essay"}


def check_gift(b: bank.Bank, text: str) -> None:
    """Every carried question parses back to the bank's prompt, answers, weights and feedback."""
    parsed = {q["name"]: q for q in parse_gift(text)}
    carried = [q for q in b.questions if q.type != "ordering"]
    assert list(parsed) == [q.id for q in carried]
    for q in carried:
        g = parsed[q.id]
        assert g["kind"] == GIFT_KIND[q.type], q.id
        assert g["format"] == "markdown"
        assert g["prompt"] == q.prompt.strip()
        assert g["general"] == md(general_feedback_md(q))
        key = q.key_answer()
        if q.type == "single":
            got = [(a["mark"], a["text"], a["feedback"]) for a in g["answers"]]
            assert got == [("=" if o.key == key else "~", md(o.text), md(o.misconception))
                           for o in q.options]
        elif q.type == "multiple":
            weights = [a["weight"] for a in g["answers"]]
            assert [a["text"] for a in g["answers"]] == [md(o.text) for o in q.options]
            assert [a["feedback"] for a in g["answers"]] == [md(o.misconception) for o in q.options]
            for o, w in zip(q.options, weights, strict=True):
                assert w == pytest.approx(100 / len(key) * (1 if o.key in key else -1), abs=1e-4)
            assert sum(w for w in weights if w > 0) == pytest.approx(100, abs=1e-3)
        elif q.type == "true_false":
            assert g["answers"] == {"value": "TRUE" if key else "FALSE", "wrong": md(q.misconception),
                                    "right": ""}
        elif q.type == "numeric":
            first, *wrong = g["answers"]
            assert (first["weight"], first["value"], first["tolerance"]) == (None, key.value, key.tolerance)
            assert [(a["weight"], a["value"], a["tolerance"], a["feedback"]) for a in wrong] == [
                (0, float(w.answer), 0, md(w.misconception)) for w in q.wrong or []]
        elif q.type == "short_text":
            right = [a for a in g["answers"] if a["weight"] is None]
            wrong = [a for a in g["answers"] if a["weight"] == 0]
            assert [a["text"] for a in right] == [f.strip() for f in key.accept]
            assert [(a["text"], a["feedback"]) for a in wrong] == [
                (str(w.answer), md(w.misconception)) for w in q.wrong or []]
        elif q.type == "matching":
            texts = {t.key: " ".join(t.text.split()).replace("->", "→") for t in q.targets}
            pairs = [(" ".join(o.text.split()).replace("->", "→"), texts[key[o.key]]) for o in q.options]
            extra = [("", texts[t.key]) for t in q.targets if t.key not in set(key.values())]
            assert g["answers"] == pairs + extra
        elif q.type == "written":
            assert g["answers"] == []


def test_gift_round_trips_every_bank(banks: list[bank.Bank], tmp_path: Path) -> None:
    reports = write_banks(banks, "gift", tmp_path)
    for b, report in zip(banks, reports, strict=True):
        assert report.path == tmp_path / f"{b.quiz}.gift.txt"
        check_gift(b, report.path.read_text(encoding="utf-8"))
        ordering = [q.id for q in b.questions if q.type == "ordering"]
        assert report.skipped == ({"ordering": ordering} if ordering else {})
        assert sum(report.carried.values()) == len([q for q in b.questions if q.type != "ordering"])


def test_gift_special_characters_survive(nasty: bank.Bank) -> None:
    text = gift.dumps(nasty)
    check_gift(nasty, text)
    assert NASTY not in text  # escaped, not copied raw
    assert "\\~ b \\= c \\# d \\{ e \\} f \\: g \\\\ h \\\\n i" in text


def test_gift_escape_is_one_line_and_reversible() -> None:
    for sample in [NASTY, "line one\n\nline two", "\\n is not a newline", "trailing \\", "::x::"]:
        escaped = gift.escape(sample)
        assert "\n" not in escaped
        assert restore(protect(escaped)) == sample.strip()


# --- QTI ----------------------------------------------------------------------------------------

def read_qti(data: bytes) -> tuple[dict[str, bytes], ET.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = ET.fromstring(files["imsmanifest.xml"])
    hrefs = [f.get("href") for f in manifest.iterfind(".//cp:resource/cp:file", NS)]
    assert hrefs and all(h in files for h in hrefs), (hrefs, list(files))
    quiz = manifest.find(".//cp:resource[@type='imsqti_xmlv1p2']", NS)
    dependency = quiz.find("cp:dependency", NS).get("identifierref")
    assert manifest.find(f".//cp:resource[@identifier='{dependency}']", NS) is not None
    for data_ in files.values():
        ET.fromstring(data_)  # every member is well-formed XML
    return files, ET.fromstring(files[quiz.find("cp:file", NS).get("href")])


def _meta(item: ET.Element) -> dict[str, str]:
    return {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", "", NS)
            for f in item.iterfind(".//q:qtimetadatafield", NS)}


def _text(node: ET.Element | None) -> str:
    return html.unescape(node.findtext(".//q:mattext", "", NS)) if node is not None else ""


def qti_items(root: ET.Element) -> dict[str, dict]:
    """Each item as plain data: type, points, prompt, choices, the answer it scores, feedback."""
    out = {}
    for item in root.iterfind(".//q:item", NS):
        meta = _meta(item)
        presentation = item.find("q:presentation", NS)
        kind = meta["question_type"]
        entry = {"type": kind, "points": float(meta["points_possible"]),
                 "prompt": presentation.find("q:material/q:mattext", NS).text,
                 "feedback": {fb.get("ident"): _text(fb) for fb in item.iterfind("q:itemfeedback", NS)}}
        labels = {lab.get("ident"): _text(lab) for lab in presentation.iterfind(".//q:response_label", NS)}
        entry["choices"] = labels
        full = [c for c in item.iterfind(".//q:respcondition", NS)
                if c.findtext("q:setvar", namespaces=NS) == "100"]
        if kind in ("multiple_choice_question", "true_false_question"):
            entry["answer"] = full[0].findtext(".//q:varequal", namespaces=NS)
        elif kind == "multiple_answers_question":
            both = full[0].find("q:conditionvar/q:and", NS)
            entry["answer"] = sorted(v.text for v in both.findall("q:varequal", NS))
            entry["not"] = sorted(v.text for v in both.findall("q:not/q:varequal", NS))
        elif kind == "numerical_question":
            var = full[0].find("q:conditionvar", NS)
            entry["answer"] = tuple(float(var.findtext(f".//q:{tag}", namespaces=NS))
                                    for tag in ("varequal", "vargte", "varlte"))
        elif kind == "short_answer_question":
            entry["answer"] = [v.text for v in full[0].iterfind(".//q:varequal", NS)]
        elif kind == "matching_question":
            lefts = {lid.get("ident"): lid.find("q:material/q:mattext", NS).text
                     for lid in presentation.iterfind("q:response_lid", NS)}
            adds = item.findall(".//q:respcondition/q:setvar[@action='Add']/..", NS)
            entry["answer"] = {lefts[c.find(".//q:varequal", NS).get("respident")]:
                               labels[c.findtext(".//q:varequal", namespaces=NS)] for c in adds}
            entry["shares"] = [float(c.findtext("q:setvar", namespaces=NS)) for c in adds]
            entry["targets_per_left"] = {len(lid.findall(".//q:response_label", NS))
                                         for lid in presentation.iterfind("q:response_lid", NS)}
        out[item.get("ident")] = entry
    return out


def check_qti(b: bank.Bank, data: bytes) -> None:
    files, root = read_qti(data)
    items = qti_items(root)
    carried = [q for q in b.questions if q.type in qti.CANVAS_TYPE]
    assert list(items) == [q.id for q in carried]
    assert Counter(i["type"] for i in items.values()) == Counter(qti.CANVAS_TYPE[q.type] for q in carried)
    for q in carried:
        it = items[q.id]
        key = q.key_answer()
        assert it["points"] == q.points
        assert it["prompt"] == qti.md_html(q.prompt)
        assert it["feedback"]["general_fb"] == html.unescape(qti.md_html(general_feedback_md(q)))
        choice = {o.key: qti.choice_id(q, o.key) for o in q.options or []}
        if q.type in ("single", "multiple"):
            assert it["choices"] == {choice[o.key]: o.text.strip() for o in q.options}
            assert {k: v for k, v in it["feedback"].items() if k != "general_fb"} == {
                f"{choice[o.key]}_fb": o.misconception.strip() for o in q.options if o.misconception}
        if q.type == "single":
            assert it["answer"] == choice[key]
        elif q.type == "multiple":
            assert it["answer"] == sorted(choice[k] for k in key)
            assert it["not"] == sorted(choice[o.key] for o in q.options if o.key not in key)
        elif q.type == "true_false":
            assert it["choices"] == {f"{q.id}-true": "True", f"{q.id}-false": "False"}
            assert it["answer"] == f"{q.id}-{'true' if key else 'false'}"
            assert it["feedback"][f"{q.id}-{'false' if key else 'true'}_fb"] == q.misconception
        elif q.type == "numeric":
            assert it["answer"] == (key.value, key.value - key.tolerance, key.value + key.tolerance)
        elif q.type == "short_text":
            assert it["answer"] == [f.strip() for f in key.accept]
        elif q.type == "matching":
            texts = {t.key: t.text.strip() for t in q.targets}
            assert it["answer"] == {o.text.strip(): texts[key[o.key]] for o in q.options}
            assert it["targets_per_left"] == {len(q.targets)}  # unused targets stay as distractors
            assert sum(it["shares"]) == pytest.approx(100, abs=0.05)
    meta_name = next(n for n in files if n.endswith("assessment_meta.xml"))
    meta = ET.fromstring(files[meta_name])
    points = meta.findtext("{http://canvas.instructure.com/xsd/cccv1p0}points_possible")
    assert float(points) == sum(q.points for q in carried)


def test_qti_round_trips_every_bank(banks: list[bank.Bank], tmp_path: Path) -> None:
    reports = write_banks(banks, "qti", tmp_path)
    for b, report in zip(banks, reports, strict=True):
        assert report.path == tmp_path / f"{b.quiz}.qti.zip"
        check_qti(b, report.path.read_bytes())
        ordering = [q.id for q in b.questions if q.type == "ordering"]
        assert report.skipped == ({"ordering": ordering} if ordering else {})


def test_qti_special_characters_survive(nasty: bank.Bank) -> None:
    report = qti.Report(nasty.quiz, Path("x.zip"), qti.NAME)
    data = qti.package(nasty, report)
    check_qti(nasty, data)
    _, root = read_qti(data)
    prompt = root.find(".//q:item/q:presentation/q:material/q:mattext", NS).text
    assert "&lt;b&gt;k&lt;/b&gt;" in prompt and "<b>" not in prompt  # author HTML shown, never run


def test_qti_is_byte_identical_across_runs(banks: list[bank.Bank]) -> None:
    b = banks[0]
    first = qti.package(b, qti.Report(b.quiz, Path("a"), qti.NAME))
    assert first == qti.package(b, qti.Report(b.quiz, Path("a"), qti.NAME))


# --- the command --------------------------------------------------------------------------------

def test_export_command_reports_what_each_format_cannot_carry(tmp_path: Path, banks: list[bank.Bank],
                                                               capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["export", "--format", "gift", "--out", str(tmp_path), "--quiz", "bottom-up"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "bottom-up.gift.txt").is_file()
    assert not (tmp_path / "techfin.gift.txt").exists()
    assert "ordering: not supported by Moodle GIFT, 1 question skipped (bu-q05)" in out
    assert "written: carried as essay" in out
    assert cli.main(["export", "--format", "qti", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.qti.zip")) == [
        "bottom-up.qti.zip", "boundaries.qti.zip", "techfin.qti.zip"]
    with_ordering = [b for b in banks if any(q.type == "ordering" for q in b.questions)]
    assert out.count("ordering: not supported by Canvas QTI") == len(with_ordering)


def test_export_command_with_an_outside_bank(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["export", "--format", "gift", "--out", str(tmp_path), "--bank", str(SAMPLE),
                     "--quiz", "sample"]) == 0
    assert "sample: 6 of 7 questions" in capsys.readouterr().out
    check_gift(bank.load(SAMPLE, ROOT), (tmp_path / "sample.gift.txt").read_text(encoding="utf-8"))


def test_export_command_mistakes_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["export", "--format", "gift", "--out", str(tmp_path), "--quiz", "nope"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert cli.main(["export", "--format", "qti", "--bank", str(tmp_path / "missing.yml")]) == 2
    assert "no such bank file" in capsys.readouterr().err
