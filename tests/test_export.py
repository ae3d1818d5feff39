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

from casebook import cli, edition
from casebook.lms import general_feedback_md, gift, qti, write_banks
from casebook.quiz import bank

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = Path(__file__).parent / "data" / "sample.yml"
NS = {"q": qti.QTI_NS, "cp": qti.CP_NS}
NASTY = "a ~ b = c # d { e } f : g \\ h \\n i -> j <b>k</b> & \"l\" 'm' 中文：“引号”"


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
        if q["type"] == "single":  # GIFT's special forms at the start of an answer text
            q["options"][0]["text"] = "%10% of users " + q["options"][0]["text"]
            q["options"][2]["text"] = "[html] 微信红包 " + q["options"][2]["text"]
        for target in q.get("targets") or []:
            target["text"] = f"{target['text']} {NASTY}"
        if q.get("misconception"):
            q["misconception"] = f"{q['misconception']} {NASTY}"
        if q["type"] == "short_text":
            q["answer"]["accept"] += ["a = b: {c} #d ~e \\f", "中台*", "front end -> middle platform"]
        for wrong in q.get("wrong") or []:
            wrong["misconception"] = f"{wrong['misconception']} {NASTY}"
    path = tmp_path_factory.mktemp("nasty") / "nasty.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return bank.load(path, ROOT)


# --- Moodle's GIFT reader, ported ----------------------------------------------------------------
# A port of what Moodle 4.5 does with a GIFT file (question/format/gift/format.php:
# qformat_gift::readquestion with escapedchar_pre/_post, parse_text_with_format, commentparser,
# split_truefalse_comment, answerweightparser; qtype_ordering::import_from_gift; the grade check of
# qformat_default::importprocess with question_bank::fraction_options_full), kept to the branches
# these exports can reach, so a change that Moodle would read differently fails here.

ESCAPED = ["\\:", "\\#", "\\=", "\\{", "\\}", "\\~", "\\n"]
PLACEHOLDERS = ["&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010"]
CHARACTERS = [":", "#", "=", "{", "}", "~", "\n"]
GIFT_WEIGHT = re.compile(r"^%\-*([0-9]{1,2})\.?([0-9]*)%")
GIFT_FORMATS = {"moodle", "html", "plain", "markdown"}
ORDERING = re.compile(
    r"^\s*>\s*(\d+)\s*((?:ALL|EXACT|RANDOM|REL|CONTIGUOUS|CONTIG)?)\s*"
    r"((?:HORIZONTAL|HORI|H|1|VERTICAL|VERT|V|0)?)\s*"
    r"((?:ALL_OR_NOTHING|ABSOLUTE_POSITION|ABSOLUTE|ABS|RELATIVE_NEXT_EXCLUDE_LAST|"
    r"RELATIVE_NEXT_INCLUDE_LAST|RELATIVE_ONE_PREVIOUS_AND_NEXT|RELATIVE_ALL_PREVIOUS_AND_NEXT|"
    r"RELATIVE_TO_CORRECT|RELATIVE|RELLONGEST_ORDERED_SUBSET|LONGEST_CONTIGUOUS_SUBSET)?)\s*"
    r"((?:SHOW|TRUE|YES|1|HIDE|FALSE|NO|0)?)\s*((?:none|123|abc|ABCD|iii|IIII)?)\s*(.*?)\s*$",
    re.S,
)
# question_bank::fraction_options_full(): the only fractions an import may use.
FRACTIONS = [
    1,
    0.9,
    0.8333333,
    0.8,
    0.75,
    0.7,
    0.6666667,
    0.6,
    0.5,
    0.4,
    0.3333333,
    0.3,
    0.25,
    0.2,
    0.1666667,
    0.1428571,
    0.125,
    0.1111111,
    0.1,
    0.05,
    0,
]
FRACTIONS += [-f for f in FRACTIONS if f]


class GiftError(Exception):
    """What Moodle reports as an import error (with "stop on error", nothing is imported)."""


def escapedchar_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in zip(ESCAPED, PLACEHOLDERS, strict=True):
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def escapedchar_post(text: str) -> str:
    for placeholder, char in zip(PLACEHOLDERS, CHARACTERS, strict=True):
        text = text.replace(placeholder, char)
    return text


def parse_text_with_format(text: str, default: str) -> tuple[str, str]:
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in GIFT_FORMATS:
            fmt, text = name, text[end + 1 :]
    return escapedchar_post(text).strip(), fmt


def commentparser(answer: str, fmt: str) -> tuple[tuple[str, str], tuple[str, str]]:
    bits = answer.split("#", 1)
    feedback = parse_text_with_format(bits[1].strip(), fmt) if len(bits) > 1 else ("", fmt)
    return parse_text_with_format(bits[0].strip(), fmt), feedback


def answerweightparser(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.index("%")
    return float(answer[:end]) / 100, answer[end + 1 :]


def moodle_gift_questions(text: str) -> list[dict]:
    """readquestions: a question is a run of non-blank lines; returns every readquestion result."""
    out, block = [], []
    for line in text.split("\n") + [""]:
        if line.strip():
            block.append(line)
        elif block:
            question = readquestion(block)
            if question is not None:
                out.append(question)
            block = []
    return out


def readquestion(lines: list[str]) -> dict | None:
    comment = "".join(line + "\n" for line in lines if line.strip().startswith("//"))
    # extract_idnumber_and_tags_from_comment: the first [id:...], every [tag:...]; ']' escaped as '\]'
    found = re.search(r"\[id:((?:\\\]|[^\]\x00-\x1f])+)\]", comment)
    idnumber = found[1].strip().replace("\\]", "]") if found else None
    tags = [
        t.strip().replace("\\]", "]") for t in re.findall(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f])+)\]", comment)
    ]
    lines = [" " if line.strip().startswith("//") else line for line in lines]
    text = "\n".join(lines).strip()
    if not text:
        return None
    text = escapedchar_pre(text)
    if text.startswith("$CATEGORY:"):
        return {"qtype": "category", "category": text[10:].strip()}
    q: dict = {"idnumber": idnumber, "tags": tags, "name": None}
    if text.startswith("::"):
        text = text[2:]
        end = text.index("::")
        q["name"], text = escapedchar_post(text[:end]).strip(), text[end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start < 0 or finish < 0:
        raise GiftError(f"braces: {text[:60]}")
    answertext = text[start + 1 : finish].strip()
    questiontext = text[:start] + text[finish + 1 :]
    general = ""
    if (cut := answertext.rfind("####")) >= 0:
        general, answertext = answertext[cut + 4 :], answertext[:cut].strip()
    q["questiontext"], fmt = parse_text_with_format(questiontext, "moodle")
    q["format"] = fmt
    q["generalfeedback"], _ = parse_text_with_format(general, fmt)
    if (ordering := ORDERING.match(answertext)) is not None:  # plugins first (qtype_ordering)
        items = [line.strip() for line in re.split(r"[\r\n]+", ordering[7]) if line.strip()]
        q.update(
            qtype="ordering",
            selectcount=int(ordering[1]),
            selecttype=ordering[2],
            layouttype=ordering[3],
            gradingtype=ordering[4],
            showgrading=ordering[5],
            numberingstyle=ordering[6],
            answers=items,
        )  # items are not unescaped
        return q
    if answertext == "":
        q["qtype"] = "essay"
        return q
    if answertext[0] == "#":
        q["qtype"] = "numerical"
        q["answers"] = []
        for answer in [a.strip() for a in answertext[1:].split("=") if a.strip()]:
            weight = 1.0
            if GIFT_WEIGHT.match(answer):
                weight, answer = answerweightparser(answer)
            (value, _), (feedback, _) = commentparser(answer, fmt)
            number_, _, tolerance = value.partition(":")
            q["answers"].append(
                {
                    "fraction": weight,
                    "value": float(number_),
                    "tolerance": float(tolerance or 0),
                    "feedback": feedback,
                }
            )
        return _checked(q)
    if "~" in answertext:
        q.update(qtype="multichoice", single="=" in answertext, answers=[])
        answers = answertext.replace("=", "~=").split("~")
        if not answers[0].strip():
            answers = answers[1:]
        for answer in (a.strip() for a in answers):
            if answer[0] == "=":
                weight, answer = 1.0, answer[1:]
            elif GIFT_WEIGHT.match(answer):
                weight, answer = answerweightparser(answer)
            else:
                weight = 0.0
            (text_, afmt), (feedback, _) = commentparser(answer, fmt)
            q["answers"].append({"fraction": weight, "text": text_, "textformat": afmt, "feedback": feedback})
        return _checked(q)
    if "=" in answertext and "->" in answertext:
        q.update(qtype="match", pairs=[])
        answers = answertext.split("=")
        for answer in (a.strip() for a in (answers[1:] if not answers[0].strip() else answers)):
            if "->" not in answer:
                raise GiftError(f"Matching question answers are improperly formatted: {answer!r}")
            left, right = answer.split("->", 1)
            q["pairs"].append((parse_text_with_format(left, fmt)[0], escapedchar_post(right).strip()))
        return q
    check = answertext.split("#", 1)[0].strip() if answertext.find("#") > 0 else answertext
    if check in ("T", "TRUE", "F", "FALSE"):
        bits = answertext.split("#", 2)
        wrong = parse_text_with_format(bits[1].strip(), fmt)[0] if len(bits) > 1 else ""
        right = parse_text_with_format(bits[2].strip(), fmt)[0] if len(bits) > 2 else ""
        q.update(
            qtype="truefalse",
            correct=bits[0].strip() in ("T", "TRUE"),
            wrongfeedback=wrong,
            rightfeedback=right,
        )
        return q
    q.update(qtype="shortanswer", answers=[])
    answers = answertext.split("=")
    for answer in (a.strip() for a in (answers[1:] if not answers[0].strip() else answers)):
        weight = 1.0
        if GIFT_WEIGHT.match(answer):
            weight, answer = answerweightparser(answer)
        (text_, _), (feedback, _) = commentparser(answer, fmt)
        q["answers"].append({"fraction": weight, "text": text_, "feedback": feedback})
    return _checked(q)


def _checked(q: dict) -> dict:
    """importprocess: every fraction must be one of Moodle's grade options (within 1e-5)."""
    for answer in q["answers"]:
        if not any(abs(answer["fraction"] - f) < 0.00001 for f in FRACTIONS):
            raise GiftError(f"{q['name']}: invalid fraction {answer['fraction']}")
    return q


def wildcard_match(string: str, pattern: str) -> bool:
    """qtype_shortanswer_question::compare_string_with_wildcard (case ignored): '*' runs match
    anything, an escaped '\\*' is a literal asterisk."""
    bits = re.split(r"(?<!\\)\*+", pattern)
    regex = "^" + ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits) + "$"
    return re.match(regex, string, re.I | re.S) is not None


def md(text: str | None) -> str:
    """What a Markdown text inside the braces reads as once parsed ('->' kept as an entity)."""
    return (text or "").strip().replace("->", "-&gt;")


def side(text: str) -> str:
    return " ".join(text.split()).replace("->", "→")


GIFT_KIND = {
    "single": "multichoice",
    "multiple": "multichoice",
    "true_false": "truefalse",
    "numeric": "numerical",
    "short_text": "shortanswer",
    "matching": "match",
    "ordering": "ordering",
    "written": "essay",
}


def check_gift(b: bank.Bank, text: str, paras: dict | None = None) -> None:
    """Moodle's reader gives back every question with the bank's prompt, answers, weights, feedback."""
    parsed = moodle_gift_questions(text)
    assert parsed[0] == {"qtype": "category", "category": f"casebook/{b.quiz}"}
    questions = {q["name"]: q for q in parsed[1:]}
    assert list(questions) == [q.id for q in b.questions]
    for q in b.questions:
        g = questions[q.id]
        assert g["qtype"] == GIFT_KIND[q.type], q.id
        assert g["idnumber"] == q.id and g["tags"] == [f"bloom-{q.bloom}", q.objective]
        assert g["format"] == "markdown"
        assert g["questiontext"] == q.prompt.strip()
        assert g["generalfeedback"] == md(general_feedback_md(q, paras))
        key = q.key_answer()
        if q.type == "single":
            got = [(a["fraction"], a["text"], a["textformat"], a["feedback"]) for a in g["answers"]]
            assert got == [
                (1.0 if o.key == key else 0.0, md(o.text), "markdown", md(o.misconception)) for o in q.options
            ]
            assert g["single"]
        elif q.type == "multiple":
            assert [a["text"] for a in g["answers"]] == [md(o.text) for o in q.options]
            assert [a["feedback"] for a in g["answers"]] == [md(o.misconception) for o in q.options]
            for o, a in zip(q.options, g["answers"], strict=True):
                assert a["fraction"] == pytest.approx((1 if o.key in key else -1) / len(key), abs=1e-6)
            assert not g["single"]
        elif q.type == "true_false":
            assert (g["correct"], g["wrongfeedback"], g["rightfeedback"]) == (key, md(q.misconception), "")
        elif q.type == "numeric":
            first, *wrong = g["answers"]
            assert (first["fraction"], first["value"], first["tolerance"]) == (1, key.value, key.tolerance)
            assert [(a["fraction"], a["value"], a["tolerance"], a["feedback"]) for a in wrong] == [
                (0, float(w.answer), 0, md(w.misconception)) for w in q.wrong or []
            ]
        elif q.type == "short_text":
            right = [a["text"] for a in g["answers"] if a["fraction"] == 1]
            carried = [f for f in key.accept if "->" not in f]
            assert len(right) == len(carried)
            for form, pattern in zip(carried, right, strict=True):
                assert wildcard_match(form.strip(), pattern)  # a student typing the form gets credit
                if "*" in form:
                    assert not wildcard_match(form.strip().replace("*", "anything"), pattern)
            wrong = [
                (a["text"].replace("\\*", "*"), a["feedback"]) for a in g["answers"] if a["fraction"] == 0
            ]
            assert wrong == [
                (str(w.answer).strip(), md(w.misconception))
                for w in q.wrong or []
                if "->" not in str(w.answer)
            ]
        elif q.type == "matching":
            texts = {t.key: side(t.text) for t in q.targets}
            pairs = [(side(o.text), texts[key[o.key]]) for o in q.options]
            extra = [("", texts[t.key]) for t in q.targets if t.key not in set(key.values())]
            assert g["pairs"] == pairs + extra
        elif q.type == "ordering":
            texts = {o.key: o.text for o in q.options}
            assert [html.unescape(item) for item in g["answers"]] == [" ".join(texts[k].split()) for k in key]
            assert (
                g["selectcount"],
                g["selecttype"],
                g["layouttype"],
                g["gradingtype"],
                g["showgrading"],
                g["numberingstyle"],
            ) == (len(key), "ALL", "VERTICAL", "RELATIVE_ALL_PREVIOUS_AND_NEXT", "SHOW", "none")
            for item in g["answers"]:  # qtype_ordering keeps GIFT placeholders: none may be left
                assert "&&0" not in item and "&&1" not in item


def test_gift_round_trips_every_bank(banks: list[bank.Bank], tmp_path: Path) -> None:
    paras = edition.by_id(ROOT)
    reports = write_banks(banks, "gift", tmp_path, paras)
    for b, report in zip(banks, reports, strict=True):
        assert report.path == tmp_path / f"{b.quiz}.gift.txt"
        check_gift(b, report.path.read_text(encoding="utf-8"), paras)
        assert report.skipped == {}
        assert sum(report.carried.values()) == len(b.questions)


def test_gift_special_characters_survive(nasty: bank.Bank) -> None:
    text = gift.dumps(nasty)
    check_gift(nasty, text)
    assert NASTY not in text  # escaped, not copied raw
    assert "\\~ b \\= c \\# d \\{ e \\} f \\: g \\\\ h \\\\n i" in text


def test_gift_special_forms_moodle_would_misread(nasty: bank.Bank) -> None:
    """Moodle's GIFT special forms, each in a text of the nasty bank: '->' in a short answer (read as
    a matching question, which stops the import), %N% (a weight), [html] (a format switch), '*' (a
    wildcard in short answers). Moodle's reader must give back the bank's texts and weights."""
    report = gift.Report(nasty.quiz, Path("x"), gift.NAME)
    text = gift.dumps(nasty, report)
    questions = {q.get("name"): q for q in moodle_gift_questions(text)}  # raises on an import error
    single = questions["smp-q01"]
    assert [a["fraction"] for a in single["answers"]] == [0.0, 1.0, 0.0]  # not 0.1 from "%10%"
    assert single["answers"][0]["text"].startswith("%10% of users")
    assert single["answers"][2]["text"].startswith("[html] 微信红包")  # the marker is text, format kept
    short = questions["smp-q07"]
    assert short["qtype"] == "shortanswer"
    assert any("->" in line and "left out" in line for line in report.notes)
    assert any(a["text"] == "中台\\*" for a in short["answers"])
    # Without the protections, Moodle misreads each form: the same question written naively.
    assert readquestion(["::x::q{=%100%front end -> middle =%100%c -> d}"])["qtype"] == "match"
    with pytest.raises(GiftError, match="improperly formatted"):
        readquestion(["::x::q{=%100%front end -> middle =%100%中台}"])  # a short answer no more
    assert readquestion(["::x::q{~%10% of users =b}"])["answers"][0]["fraction"] == 0.1
    assert readquestion(["::x::q{~[html] x =b}"])["answers"][0]["textformat"] == "html"
    assert wildcard_match("中台 and more", "中台*")


def test_gift_ordering_items_with_specials_survive() -> None:
    """qtype_ordering does not undo GIFT escapes, so items use character references instead."""
    assert gift.item_text("Step one: plan {a} #1 ~x = y \\ <b>&") == (
        "Step one&#58; plan &#123;a&#125; &#35;1 &#126;x &#61; y &#92; &lt;b&gt;&amp;"
    )
    assert html.unescape(gift.item_text("Step one: plan")) == "Step one: plan"


def test_gift_escape_is_one_line_and_reversible() -> None:
    for sample in [NASTY, "line one\n\nline two", "\\n is not a newline", "trailing \\", "::x::"]:
        escaped = gift.escape(sample)
        assert "\n" not in escaped
        assert escapedchar_post(escapedchar_pre(escaped)).strip() == sample.strip()


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
    return {
        f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", "", NS)
        for f in item.iterfind(".//q:qtimetadatafield", NS)
    }


def canvas_text(node: ET.Element | None) -> str:
    """The text Canvas keeps from a mattext in a plain QTI import (no Canvas flavor):
    qti_exporter's HtmlHelper#detect_html keeps a text/html text as HTML only when it holds
    markup; otherwise it keeps the text form, from which clear_html deletes tags and every named
    entity (numeric ones become characters). text/plain is kept as it is."""
    if node is None:
        return ""
    mattext = node if node.tag == f"{{{qti.QTI_NS}}}mattext" else node.find(".//q:mattext", NS)
    if mattext is None:
        return ""  # a fill-in blank's response_label has no text
    text = mattext.text or ""
    if mattext.get("texttype") != "text/html":
        return text
    if re.search(r"<[a-zA-Z]", text):
        return html.unescape(re.sub(r"</?[^>\n]*>", "", text))
    text = re.sub(r"</?[^>\n]*>", "", text)
    text = re.sub(r"&#(\d+);", lambda m: chr(int(m[1])), text)
    return re.sub(r"&\w+;", "", text)


def canvas_match_id(identifier: str) -> int:
    """AssociateInteraction#get_canvas_matches: the match id is the first run of digits."""
    return int(re.search(r"(\d+)", identifier)[1])


def qti_items(root: ET.Element) -> dict[str, dict]:
    """Each item as Canvas reads it: type, points, prompt, choices, the answer it scores, feedback."""
    out = {}
    for item in root.iterfind(".//q:item", NS):
        meta = _meta(item)
        presentation = item.find("q:presentation", NS)
        kind = meta["question_type"]
        entry = {
            "type": kind,
            "points": float(meta["points_possible"]),
            "prompt": presentation.find("q:material/q:mattext", NS).text,
            "feedback": {fb.get("ident"): canvas_text(fb) for fb in item.iterfind("q:itemfeedback", NS)},
        }
        labels = {
            lab.get("ident"): canvas_text(lab) for lab in presentation.iterfind(".//q:response_label", NS)
        }
        entry["choices"] = labels
        full = [
            c
            for c in item.iterfind(".//q:respcondition", NS)
            if c.findtext("q:setvar", namespaces=NS) == "100"
        ]
        if kind in ("multiple_choice_question", "true_false_question"):
            entry["answer"] = full[0].findtext(".//q:varequal", namespaces=NS)
        elif kind == "multiple_answers_question":
            both = full[0].find("q:conditionvar/q:and", NS)
            entry["answer"] = sorted(v.text for v in both.findall("q:varequal", NS))
            entry["not"] = sorted(v.text for v in both.findall("q:not/q:varequal", NS))
        elif kind == "numerical_question":
            var = full[0].find("q:conditionvar", NS)
            entry["answer"] = tuple(
                float(var.findtext(f".//q:{tag}", namespaces=NS)) for tag in ("varequal", "vargte", "varlte")
            )
        elif kind == "short_answer_question":
            entry["answer"] = [v.text for v in full[0].iterfind(".//q:varequal", NS)]
        elif kind == "matching_question":
            lefts = {
                lid.get("ident"): canvas_text(lid.find("q:material/q:mattext", NS))
                for lid in presentation.iterfind("q:response_lid", NS)
            }
            # Canvas knows a target only by its match id: the first run of digits of its identifier.
            targets = {}
            for lab in presentation.iterfind(".//q:response_label", NS):
                targets.setdefault(canvas_match_id(lab.get("ident")), set()).add(canvas_text(lab))
            entry["distinct_targets"] = all(len(t) == 1 for t in targets.values())
            adds = item.findall(".//q:respcondition/q:setvar[@action='Add']/..", NS)
            entry["answer"] = {
                lefts[c.find(".//q:varequal", NS).get("respident")]: min(
                    targets[canvas_match_id(c.findtext(".//q:varequal", namespaces=NS))]
                )
                for c in adds
            }
            entry["shares"] = [float(c.findtext("q:setvar", namespaces=NS)) for c in adds]
            entry["targets_per_left"] = {
                len(lid.findall(".//q:response_label", NS))
                for lid in presentation.iterfind("q:response_lid", NS)
            }
        out[item.get("ident")] = entry
    return out


def check_qti(b: bank.Bank, data: bytes, paras: dict | None = None) -> None:
    files, root = read_qti(data)
    items = qti_items(root)
    assert list(items) == [q.id for q in b.questions]
    assert Counter(i["type"] for i in items.values()) == Counter(qti.CANVAS_TYPE[q.type] for q in b.questions)
    for q in b.questions:
        it = items[q.id]
        key = q.key_answer()
        assert it["points"] == q.points
        hint = f"\n\n{qti.ORDERING_HINT}" if q.type == "ordering" else ""
        assert it["prompt"] == qti.md_html(q.prompt.strip() + hint)
        assert it["feedback"]["general_fb"] == html.unescape(
            re.sub(r"</?[^>\n]*>", "", qti.md_html(general_feedback_md(q, paras)))
        )
        choice = {o.key: qti.choice_id(q, o.key) for o in q.options or []}
        if q.type in ("single", "multiple"):
            assert it["choices"] == {choice[o.key]: o.text.strip() for o in q.options}
            assert {k: v for k, v in it["feedback"].items() if k != "general_fb"} == {
                f"{choice[o.key]}_fb": o.misconception.strip() for o in q.options if o.misconception
            }
        if q.type == "single":
            assert it["answer"] == choice[key]
        elif q.type == "multiple":
            assert it["answer"] == sorted(choice[k] for k in key)
            assert it["not"] == sorted(choice[o.key] for o in q.options if o.key not in key)
        elif q.type == "true_false":
            assert it["choices"] == {f"{q.id}-true": "True", f"{q.id}-false": "False"}
            assert it["answer"] == f"{q.id}-{'true' if key else 'false'}"
            assert it["feedback"][f"{q.id}-{'false' if key else 'true'}_fb"] == q.misconception.strip()
        elif q.type == "numeric":
            assert it["answer"] == (key.value, key.value - key.tolerance, key.value + key.tolerance)
        elif q.type == "short_text":
            assert it["answer"] == [f.strip() for f in key.accept]
        elif q.type == "matching":
            texts = {t.key: t.text.strip() for t in q.targets}
            assert it["distinct_targets"], q.id
            assert it["answer"] == {o.text.strip(): texts[key[o.key]] for o in q.options}
            assert it["targets_per_left"] == {len(q.targets)}  # unused targets stay as distractors
            assert sum(it["shares"]) == pytest.approx(100, abs=0.05)
        elif q.type == "ordering":
            texts = {o.key: o.text.strip() for o in q.options}
            assert it["type"] == "matching_question" and it["distinct_targets"], q.id
            assert it["answer"] == {texts[k]: qti.position(i + 1) for i, k in enumerate(key)}
            assert it["targets_per_left"] == {len(key)}
    meta_name = next(n for n in files if n.endswith("assessment_meta.xml"))
    meta = ET.fromstring(files[meta_name])
    points = meta.findtext("{http://canvas.instructure.com/xsd/cccv1p0}points_possible")
    assert float(points) == sum(q.points for q in b.questions)


def test_qti_round_trips_every_bank(banks: list[bank.Bank], tmp_path: Path) -> None:
    paras = edition.by_id(ROOT)
    reports = write_banks(banks, "qti", tmp_path, paras)
    for b, report in zip(banks, reports, strict=True):
        assert report.path == tmp_path / f"{b.quiz}.qti.zip"
        check_qti(b, report.path.read_bytes(), paras)
        assert report.skipped == {}
        ordering = [q.id for q in b.questions if q.type == "ordering"]
        assert any(", ".join(ordering) in note and "relative order" in note for note in report.notes) == bool(
            ordering
        )


def test_qti_special_characters_survive(nasty: bank.Bank) -> None:
    report = qti.Report(nasty.quiz, Path("x.zip"), qti.NAME)
    data = qti.package(nasty, report)
    check_qti(nasty, data)
    _, root = read_qti(data)
    prompt = root.find(".//q:item/q:presentation/q:material/q:mattext", NS).text
    assert "&lt;b&gt;k&lt;/b&gt;" in prompt and "<b>" not in prompt  # author HTML shown, never run
    # What Canvas deletes from a text/html text without markup: none of the exported texts has it.
    for mattext in root.iter(f"{{{qti.QTI_NS}}}mattext"):
        if mattext.get("texttype") == "text/html":
            assert re.search(r"<[a-zA-Z]", mattext.text or ""), mattext.text


def test_canvas_rules_as_encoded_catch_the_old_export() -> None:
    """The two Canvas rules the exports were broken by, on the identifiers and texts written before."""
    old_targets = ["bu-q10-p", "bu-q10-q", "bu-q10-r"]
    assert {canvas_match_id(t) for t in old_targets} == {10}  # one match id for every target
    old = ET.fromstring(f'<mattext xmlns="{qti.QTI_NS}" texttype="text/html">R&amp;amp;D</mattext>')
    assert canvas_text(old) == "RD"


def test_ordering_in_canvas_scores_positions_not_pairs() -> None:
    """What the Canvas form of an ordering question credits, against the bank's pairwise rule."""
    from casebook.quiz import scoring

    answer = ["a", "b", "c"]

    def canvas(given: list[str]) -> float:  # matching: each item's share when at its exact position
        return sum(given[i] == answer[i] for i in range(len(answer))) / len(answer)

    assert canvas(["a", "b", "c"]) == scoring.ordering_fraction(answer, ["a", "b", "c"]) == 1
    assert canvas(["c", "a", "b"]) == 0
    assert scoring.ordering_fraction(answer, ["c", "a", "b"]) == pytest.approx(1 / 3)
    assert canvas(["a", "c", "b"]) == pytest.approx(1 / 3)
    assert scoring.ordering_fraction(answer, ["a", "c", "b"]) == pytest.approx(2 / 3)
    assert [qti.position(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
        "101st",
    ]


def test_qti_is_byte_identical_across_runs(banks: list[bank.Bank]) -> None:
    b = banks[0]
    first = qti.package(b, qti.Report(b.quiz, Path("a"), qti.NAME))
    assert first == qti.package(b, qti.Report(b.quiz, Path("a"), qti.NAME))


# --- the command --------------------------------------------------------------------------------


def test_export_command_reports_what_each_format_cannot_carry(
    banks: list[bank.Bank], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    first = banks[0].quiz
    assert cli.main(["export", "--format", "gift", "--out", str(tmp_path), "--quiz", first]) == 0
    out = capsys.readouterr().out
    assert [p.name for p in tmp_path.glob("*.gift.txt")] == [f"{first}.gift.txt"]
    assert "not supported" not in out  # every type is carried
    if any(q.manual for q in banks[0].questions):
        assert "written: carried as essay" in out
    assert cli.main(["export", "--format", "qti", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.qti.zip")) == sorted(f"{b.quiz}.qti.zip" for b in banks)
    assert out.count("ordering: carried as matching each item to its position") == sum(
        any(q.type == "ordering" for q in b.questions) for b in banks
    )


def test_export_command_writes_every_question_as_moodle_xml(
    banks: list[bank.Bank], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(["export", "--format", "moodle-xml", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for b in banks:
        assert f"{b.quiz}: {len(b.questions)} of {len(b.questions)} questions" in out
        data = (tmp_path / f"{b.quiz}.moodle.xml").read_bytes()
        names = [q["name"] for q in moodle_xml_questions(data)[1:]]
        assert names == [q.id for q in b.questions]


def test_export_command_with_an_outside_bank(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert (
        cli.main(
            ["export", "--format", "gift", "--out", str(tmp_path), "--bank", str(SAMPLE), "--quiz", "sample"]
        )
        == 0
    )
    assert "sample: 7 of 7 questions" in capsys.readouterr().out
    check_gift(
        bank.load(SAMPLE, ROOT),
        (tmp_path / "sample.gift.txt").read_text(encoding="utf-8"),
        edition.by_id(ROOT),
    )


def test_export_command_mistakes_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["export", "--format", "gift", "--out", str(tmp_path), "--quiz", "nope"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert cli.main(["export", "--format", "qti", "--bank", str(tmp_path / "missing.yml")]) == 2
    assert "no such bank file" in capsys.readouterr().err


# --- Moodle XML ---------------------------------------------------------------------------------
# What Moodle 4.5's qformat_xml reads from each question (question/format/xml/format.php:
# readquestions dispatches on @type to import_headers + import_multichoice / _truefalse /
# _shortanswer / _numerical / _match / _essay; other types go to the qtype's import_from_xml,
# here qtype_ordering's). getpath(..., true) trims texts; fractions are percentages; trans_single
# reads 'true'/'1' as 1. The XML is parsed by ElementTree, as strictly as any XML parser.


def _path(node: ET.Element, path: str, default: str | None = None) -> str | None:
    found = node.find(path)
    return default if found is None else (found.text or "").strip()


def _field(node: ET.Element, tag: str) -> tuple[str, str]:
    """import_text_with_files: (text, format) of <tag format="..."><text>...</text></tag>."""
    found = node.find(tag) if tag else node
    if found is None:
        return "", ""
    return (found.findtext("text") or "").strip(), found.get("format", "moodle_auto_format")


def _single(value: str | None) -> int:
    return 1 if (value or "").lower() in ("true", "1") else 0


def moodle_xml_questions(data: bytes) -> list[dict]:
    root = ET.fromstring(data)
    assert root.tag == "quiz"
    out = []
    for node in root.iterfind("question"):
        kind = node.get("type")
        if kind == "category":
            out.append({"qtype": "category", "category": _path(node, "category/text")})
            continue
        q = {
            "qtype": kind,
            "name": _path(node, "name/text"),
            "questiontext": _field(node, "questiontext"),
            "generalfeedback": _field(node, "generalfeedback"),
            "idnumber": _path(node, "idnumber"),
            "defaultmark": float(_path(node, "defaultgrade", "1")),
            "tags": [t.findtext("text") for t in node.iterfind("tags/tag")],
        }
        answers = [
            {
                "fraction": float(a.get("fraction", "0")) / 100,
                "text": _field(a, ""),
                "feedback": _field(a, "feedback"),
                "tolerance": _path(a, "tolerance"),
            }
            for a in node.iterfind("answer")
        ]
        if kind in ("multichoice", "truefalse", "shortanswer", "numerical"):
            for a in answers:  # importprocess's grade-option check
                assert any(abs(a["fraction"] - f) < 0.00001 for f in FRACTIONS), (q["name"], a)
        if kind == "multichoice":
            q.update(
                single=_single(_path(node, "single", "true")),
                answers=answers,
                shuffleanswers=_single(_path(node, "shuffleanswers", "false")),
            )
        elif kind == "truefalse":
            for a in answers:
                if a["text"][0] == "true":
                    q["correct"] = a["fraction"] == 1
                    q["feedbacktrue"] = a["feedback"][0]
                else:
                    q["feedbackfalse"] = a["feedback"][0]
        elif kind in ("shortanswer", "numerical"):
            q.update(
                answers=answers,
                usecase=_path(node, "usecase", "0"),
                units=[
                    (_path(u, "unit_name"), _path(u, "multiplier", "1")) for u in node.iterfind("units/unit")
                ],
                unitgradingtype=_path(node, "unitgradingtype", "0"),
                showunits=_path(node, "showunits"),
            )
        elif kind == "matching":
            q["pairs"] = [
                (_field(sub, "")[0], _path(sub, "answer/text", "")) for sub in node.iterfind("subquestion")
            ]
        elif kind == "essay":
            q.update(
                responseformat=_path(node, "responseformat", "editor"),
                graderinfo=_field(node, "graderinfo"),
                maxwordlimit=_path(node, "maxwordlimit"),
                minwordlimit=_path(node, "minwordlimit"),
            )
        elif kind == "ordering":  # qtype_ordering::import_from_xml
            q.update(
                {
                    tag: _path(node, tag)
                    for tag in (
                        "layouttype",
                        "selecttype",
                        "selectcount",
                        "gradingtype",
                        "showgrading",
                        "numberingstyle",
                    )
                }
            )
            q["answers"] = [a["text"][0] for a in answers]
        else:
            raise AssertionError(f"Moodle has no question type {kind!r}")
        out.append(q)
    return out


def check_moodle_xml(b: bank.Bank, data: bytes, paras: dict | None = None) -> None:
    from casebook.lms import moodle_xml
    from casebook.quiz import wording

    parsed = moodle_xml_questions(data)
    assert parsed[0] == {"qtype": "category", "category": f"casebook/{b.quiz}"}
    questions = {q["name"]: q for q in parsed[1:]}
    assert list(questions) == [q.id for q in b.questions]
    for q in b.questions:
        m, key = questions[q.id], q.key_answer()
        assert m["qtype"] == moodle_xml.MOODLE_TYPE[q.type]
        assert (m["idnumber"], m["defaultmark"]) == (q.id, q.points)
        assert m["questiontext"] == (qti.md_html(q.prompt), "html")
        assert m["generalfeedback"] == (qti.md_html(general_feedback_md(q, paras)), "html")
        assert m["tags"] == [f"bloom-{q.bloom}", q.objective]
        option = {o.key: html.escape(o.text.strip(), quote=False) for o in q.options or []}
        feedback = {
            o.key: html.escape(o.misconception.strip(), quote=False) if o.misconception else ""
            for o in q.options or []
        }
        if q.type in ("single", "multiple"):
            assert m["single"] == (q.type == "single") and m["shuffleanswers"] == 0
            right = {key} if q.type == "single" else set(key)
            shares = (1.0, 0.0) if q.type == "single" else (1 / len(right), -1 / len(right))
            assert [(a["text"][0], a["feedback"][0]) for a in m["answers"]] == [
                (option[o.key], feedback[o.key]) for o in q.options
            ]
            for o, a in zip(q.options, m["answers"], strict=True):
                assert a["fraction"] == pytest.approx(shares[0] if o.key in right else shares[1], abs=1e-6)
        elif q.type == "true_false":
            wrong = html.escape(q.misconception.strip(), quote=False)
            assert m["correct"] == key
            assert (m["feedbacktrue"], m["feedbackfalse"]) == (("", wrong) if key else (wrong, ""))
        elif q.type == "numeric":
            got = [
                (a["fraction"], float(a["text"][0]), float(a["tolerance"]), a["feedback"][0])
                for a in m["answers"]
            ]
            assert got == [(1.0, key.value, key.tolerance, "")] + [
                (0.0, float(w.answer), 0.0, html.escape(w.misconception.strip(), quote=False))
                for w in q.wrong or []
            ]
            assert m["units"] == ([(key.unit, "1")] if key.unit else [])
            assert m["unitgradingtype"] == "0" and m["showunits"] == ("0" if key.unit else "3")
        elif q.type == "short_text":
            assert m["usecase"] == "0"
            right = [a["text"][0] for a in m["answers"] if a["fraction"] == 1]
            assert len(right) == len(key.accept)
            for form, pattern in zip(key.accept, right, strict=True):
                assert wildcard_match(form.strip(), pattern)
                if "*" in form:
                    assert not wildcard_match(form.strip().replace("*", "anything"), pattern)
        elif q.type == "matching":
            texts = {t.key: " ".join(t.text.split()) for t in q.targets}
            extra = [("", texts[t.key]) for t in q.targets if t.key not in set(key.values())]
            assert m["pairs"] == [(option[o.key], texts[key[o.key]]) for o in q.options] + extra
        elif q.type == "ordering":
            assert m["answers"] == [option[k] for k in key]
            settings = tuple(
                m[k] for k in ("layouttype", "selecttype", "selectcount", "gradingtype", "showgrading")
            )
            assert settings == ("VERTICAL", "ALL", str(len(key)), "RELATIVE_ALL_PREVIOUS_AND_NEXT", "SHOW")
        elif q.type == "written":
            assert m["responseformat"] == "editor" and m["minwordlimit"] is None
            assert m["maxwordlimit"] == (str(q.word_limit) if q.word_limit else None)
            info, fmt = m["graderinfo"]
            assert fmt == "html" and info == qti.md_html(
                f"Rubric ({wording.points(q.points)} points):\n\n{wording.rubric_markdown(q)}"
            )
            for criterion in q.rubric or []:
                assert html.escape(criterion.criterion, quote=False) in info


def test_moodle_xml_round_trips_every_bank(banks: list[bank.Bank], tmp_path: Path) -> None:
    paras = edition.by_id(ROOT)
    reports = write_banks(banks, "moodle-xml", tmp_path, paras)
    for b, report in zip(banks, reports, strict=True):
        assert report.path == tmp_path / f"{b.quiz}.moodle.xml"
        check_moodle_xml(b, report.path.read_bytes(), paras)
        assert report.skipped == {} and sum(report.carried.values()) == len(b.questions)


def test_moodle_xml_special_characters_survive(nasty: bank.Bank) -> None:
    from casebook.lms import moodle_xml

    data = moodle_xml.dumps(nasty)
    check_moodle_xml(nasty, data)
    short = next(q for q in moodle_xml_questions(data) if q.get("name") == "smp-q07")
    assert any(a["text"][0] == "front end -> middle platform" for a in short["answers"])  # '->' carried
    control = nasty.model_copy(
        update={
            "questions": [nasty.questions[0].model_copy(update={"prompt": "bell \x07 and form feed \x0c"})]
        }
    )
    assert b"bell  and form feed" in moodle_xml.dumps(control)  # XML 1.0 cannot hold them: dropped


def test_moodle_xml_written_questions(tmp_path: Path) -> None:
    written = bank.load(Path(__file__).parent / "data" / "written.yml", ROOT)
    assert any(q.type == "written" and q.word_limit for q in written.questions)
    check_moodle_xml(
        written, (write_banks([written], "moodle-xml", tmp_path)[0].path).read_bytes(), edition.by_id(ROOT)
    )


def test_every_export_writes_every_question_type() -> None:
    """The conventions: each bank-export module keeps a writer per type of TYPES."""
    from casebook.lms import moodle_xml

    for module in (qti, gift, moodle_xml):
        assert set(module.WRITERS) == set(bank.TYPES), module.__name__


def test_the_three_totals_agree(tmp_path: Path) -> None:
    """The QTI quiz's points, the Moodle XML questions' marks and the grade CSV's maximum are one
    figure: the bank's points, hand-scored questions included (GIFT says it in its notes)."""
    from casebook.grading import demo
    from casebook.lms import bank_points, grades, moodle_xml

    written = bank.load(Path(__file__).parent / "data" / "written.yml", ROOT)
    total = bank_points(written)
    assert total > sum(q.points for q in written.questions if not q.manual)
    files, _ = read_qti(qti.package(written, qti.Report(written.quiz, Path("x"), qti.NAME)))
    meta = ET.fromstring(next(v for k, v in files.items() if k.endswith("assessment_meta.xml")))
    assert float(meta.findtext("{http://canvas.instructure.com/xsd/cccv1p0}points_possible")) == total
    marks = sum(q["defaultmark"] for q in moodle_xml_questions(moodle_xml.dumps(written))[1:])
    assert marks == total
    report = gift.Report(written.quiz, Path("x"), gift.NAME)
    gift.dumps(written, report)
    assert any(f"the quiz is worth {qti.number(total)}" in note for note in report.notes)
    result = demo.run(tmp_path / "demo", students=3, banks=[written], jobs=1)
    for points in ("auto", "total"):
        out = tmp_path / f"canvas-{points}.csv"
        grades.export(result.gradebook, tmp_path / "demo" / "roster.csv", "canvas", out, points=points)
        assert float(out.read_text(encoding="utf-8").splitlines()[1].split(",")[-1]) == total


def test_feedback_carries_the_evidence_in_chinese_and_english(banks: list[bank.Bank]) -> None:
    """Each export's general feedback is general_feedback_md (checked above per format): the
    explanation, then every cited passage as the Chinese quote and its paragraph's English."""
    paras = edition.by_id(ROOT)
    for q in [q for b in banks for q in b.questions][:40]:
        text = general_feedback_md(q, paras)
        for ev in q.evidence:
            assert f"> {ev.quote} ({ev.para})" in text
            assert paras[ev.para].en.strip() and f"> *{paras[ev.para].en.strip()}*" in text
        if q.explanation:
            assert text.startswith(q.explanation.strip())
