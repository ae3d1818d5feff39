"""Student, practice, solutions and roster notebooks: structure, no leaks, shuffling."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import nbformat
import pytest

from casebook import edition
from casebook.errors import CasebookError
from casebook.quiz import bank, layout, notebooks

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def sample() -> bank.Bank:
    return bank.load(DATA / "sample.yml")


@pytest.fixture(scope="module")
def paras(root: Path) -> dict:
    return edition.by_id(root)


def _cells(nb: dict, role: str) -> list[dict]:
    return [c for c in nb["cells"] if c["metadata"].get("casebook", {}).get("role") == role]


def test_student_notebook_layout(tmp_path: Path, sample: bank.Bank) -> None:
    (path,) = notebooks.release([sample], tmp_path)
    assert path == tmp_path / "sample.ipynb"
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert all(c.get("id") for c in nb.cells)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.casebook == {"quiz": "sample", "version": sample.version, "format": layout.FORMAT}
    assert nb.cells[0].cell_type == "markdown" and "How to answer" in nb.cells[0].source
    (identity,) = _cells(nb, "identity")
    assert 'student_name = ""' in identity.source and 'student_id = ""' in identity.source
    answers = _cells(nb, "answer")
    assert [c.metadata.casebook.question for c in answers] == [q.id for q in sample.questions]
    assert [c.source for c in answers] == [
        'q01 = ""',
        "q02 = []",
        "q03 = None",
        "q04 = None",
        "q05 = []",
        "q06 = {}",
        'q07 = ""',
    ]
    prompts = _cells(nb, "prompt")
    assert prompts[1].source.startswith("### Question 2 (2 points)")
    assert "**d)** 钉钉" in prompts[1].source
    assert "Unit: minutes." in prompts[3].source


def test_student_notebook_leaks_no_answer(tmp_path: Path, sample: bank.Bank) -> None:
    (path,) = notebooks.release([sample], tmp_path)
    text = path.read_text(encoding="utf-8")
    secrets = []
    for q in sample.questions:
        secrets += [q.explanation.strip(), *(ev.quote for ev in q.evidence)]
        secrets += [o.misconception for o in q.options or [] if o.misconception]
        secrets += [w.misconception for w in q.wrong or []]
        if q.misconception:
            secrets.append(q.misconception)
    key = {q.id: q.key_answer() for q in sample.questions}
    secrets += key["smp-q07"].accept
    secrets += [json.dumps(key["smp-q02"]), json.dumps(key["smp-q05"]), '"answer": ', "SAMPLE-"]
    for secret in secrets:
        assert secret not in text, secret
        assert json.dumps(secret, ensure_ascii=False)[1:-1] not in text, secret
    nb = json.loads(text)
    metadata = json.dumps([nb["metadata"]] + [c["metadata"] for c in nb["cells"]])
    assert "answer" not in metadata.replace('"role": "answer"', "")


def test_version_follows_prompts_not_answers(sample: bank.Bank) -> None:
    changed_key = sample.model_copy(
        update={"questions": [sample.questions[0].model_copy(update={"answer": "a"}), *sample.questions[1:]]}
    )
    assert changed_key.version == sample.version
    reworded = sample.model_copy(
        update={
            "questions": [sample.questions[0].model_copy(update={"prompt": "Other?"}), *sample.questions[1:]]
        }
    )
    assert reworded.version != sample.version


def test_ordering_is_never_displayed_in_answer_order(sample: bank.Bank) -> None:
    q = sample.questions[4]
    in_order = q.model_copy(update={"answer": q.option_keys})
    assert notebooks.base_order(in_order)[0] != in_order.key_answer()
    assert notebooks.base_order(q)[0] == q.option_keys


def test_practice_notebook_carries_the_key_and_checks(tmp_path: Path, sample: bank.Bank, paras: dict) -> None:
    (path,) = notebooks.release([sample], tmp_path, practice=True, paras=paras)
    assert path.name == "sample-practice.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "contains the answer key" in nb.cells[0].source
    (checker,) = _cells(nb, "checker")
    (check,) = _cells(nb, "check")
    assert check.source == "check()"
    # Run the generated checker as a student's kernel would, on our own answers.
    namespace: dict = {
        "q01": "b",
        "q02": ["a"],
        "q03": True,
        "q04": 3.2,
        "q05": ["b", "a", "c"],
        "q06": {"a": "x"},
        "q07": " 中台。",
    }
    exec(compile(checker.source, "checker", "exec"), namespace)  # noqa: S102 (our own code)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        namespace["check"](namespace)
    text = out.getvalue()
    assert "Question 1 (smp-q01): RIGHT, 1 of 1 point(s)" in text
    assert "Question 2 (smp-q02): PARTIAL, 1 of 2 point(s)" in text
    assert "Question 3 (smp-q03): WRONG" in text and "Assumes a bank grows" in text
    assert "SAMPLE-EXPLAIN-SMALL-LOANS" in text and "小额、分散、立足于创业型企业" in text
    assert paras["P066"].en[:30] in text.replace("\n      ", " ")
    assert "Total: 5.33333 of 8" in text


def test_solutions_notebook_answers_everything(tmp_path: Path, sample: bank.Bank, paras: dict) -> None:
    (path,) = notebooks.write_solutions([sample], tmp_path, paras)
    nb = nbformat.read(path, as_version=4)
    answers = [c.source for c in _cells(nb, "answer")]
    assert answers == [
        "q01 = 'b'",
        "q02 = ['a', 'c']",
        "q03 = False",
        "q04 = 3",
        "q05 = ['b', 'a', 'c']",
        "q06 = {'a': 'x', 'b': 'y', 'c': 'z'}",
        "q07 = '中台'",
    ]
    solutions = _cells(nb, "solution")
    assert "SAMPLE-EXPLAIN-ONE-MONTH" in solutions[0].source
    assert "> 祖望等人仅花了1个月时间 (P045)" in solutions[0].source


def _roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_roster_release_shuffles_display_only(tmp_path: Path, sample: bank.Bank) -> None:
    roster = notebooks.read_roster(_roster(tmp_path, "student_id,name\n1001,Ann\n1002,Bo\n1003,Cy\n"))
    written = notebooks.release([sample], tmp_path / "out", roster=roster)
    assert written == [tmp_path / "out" / sid / "sample.ipynb" for sid in ("1001", "1002", "1003")]
    books = [json.loads(p.read_text(encoding="utf-8")) for p in written]
    for nb in books:
        nbformat.validate(nbformat.from_dict(nb))
    assert 'student_id = "1002"' in _cells(books[1], "identity")[0]["source"]
    prompts = [[c["source"] for c in _cells(nb, "prompt")] for nb in books]
    assert prompts[0] != prompts[1] or prompts[1] != prompts[2]
    for nb in books:  # same keys with the same texts, whatever the order
        single = _cells(nb, "prompt")[0]["source"]
        assert {line for line in single.splitlines() if line.startswith("- ")} == {
            "- **a)** About a year",
            "- **b)** About one month",
            "- **c)** About two weeks",
        }
    again = notebooks.release([sample], tmp_path / "again", roster=roster)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in written]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,name\n1,A\n", "roster needs columns student_id,name"),
        ("student_id,name\n,A\n", ":2: empty student_id"),
        ("student_id,name\n1,A\n1,B\n", ":3: student_id 1 also on line 2"),
        ("student_id,name\n", "roster has no students"),
        ("", "roster needs columns student_id,name"),
    ],
)
def test_bad_roster_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CasebookError, match=message) as err:
        notebooks.read_roster(_roster(tmp_path, text))
    assert "\n" not in str(err.value)


def test_missing_or_binary_roster(tmp_path: Path) -> None:
    with pytest.raises(CasebookError, match="no such roster file"):
        notebooks.read_roster(tmp_path / "nope.csv")
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CasebookError, match="not UTF-8"):
        notebooks.read_roster(path)


def test_practice_and_roster_do_not_combine(tmp_path: Path, sample: bank.Bank) -> None:
    with pytest.raises(CasebookError, match="do not combine"):
        notebooks.release([sample], tmp_path, practice=True, roster=[("1", "A")])


@pytest.mark.slow  # a Jupyter kernel
def test_practice_notebook_runs_in_a_real_kernel(tmp_path: Path, sample: bank.Bank, paras: dict) -> None:
    """What a student sees: answer two questions, run all, read the check."""
    nbclient = pytest.importorskip("nbclient")
    (path,) = notebooks.release([sample], tmp_path, practice=True, paras=paras)
    nb = nbformat.read(path, as_version=4)
    for cell in _cells(nb, "answer"):
        if cell.source.startswith("q01"):
            cell.source = 'q01 = "b"'
        if cell.source.startswith("q07"):
            cell.source = 'q07 = "前台"'
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    text = "".join(o.get("text", "") for o in _cells(nb, "check")[0].outputs)
    assert "Question 1 (smp-q01): RIGHT" in text
    assert "Question 7 (smp-q07): WRONG" in text and "Takes the small front end" in text
    assert "Question 2 (smp-q02): BLANK" in text


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\ufeffStudent_ID , Name\nS1,Ann Li\n s2 ,Bo\n", ""),  # a spreadsheet's header and BOM
        ("student_id,name\nS1,Ann\ns1,Bo\n", ":3: student_id s1 also on line 2"),  # same student
        ("student_id,name,email\n1,A,a@x\n\n2,B,b@x\n", ""),
    ],
)
def test_release_and_export_grades_read_a_roster_alike(tmp_path: Path, text: str, problem: str) -> None:
    from casebook.lms import grades

    path = _roster(tmp_path, text)
    results = []
    for read in (notebooks.read_roster, grades.read_roster):
        try:
            got = read(path)
            results.append([(s if isinstance(s, tuple) else (s.student_id, s.name)) for s in got])
        except CasebookError as exc:
            results.append(str(exc))
    assert results[0] == results[1]
    if problem:
        assert problem in results[0]
    else:
        assert all(sid == sid.strip() and sid for sid, _ in results[0])
