"""read_jsonl: field mapping, date formats, bad lines."""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest

import searcher
from searcher.sources.jsonl import BadLine, JsonlWarning, parse_date, read_jsonl


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_read_jsonl_is_exported_lazily() -> None:
    assert searcher.read_jsonl is read_jsonl
    assert "read_jsonl" in searcher.__all__


def test_fields_are_mapped(tmp_path: Path) -> None:
    record = {
        "id": "a1", "title": "Cocoa  review", "text": "Showers continued.", "date": "26-FEB-1987 15:01:01.79",
        "source": "Reuters", "url": "https://example.com/a1", "authors": ["Ann Lee", "Bo Chen"],
        "topics": ["cocoa"],
    }
    path = write_lines(tmp_path / "a.jsonl", [json.dumps(record)])
    with pytest.warns(JsonlWarning, match=r'a.jsonl:1: field "topics" not kept'):  # named, once per file
        (doc,) = read_jsonl(path)
    assert doc.doc_id == "a1"
    assert doc.title == "Cocoa  review"
    assert doc.body == "Showers continued."
    assert doc.published == datetime(1987, 2, 26, 15, 1, 1, 790000)
    assert doc.source == "Reuters"
    assert doc.url == "https://example.com/a1"
    assert doc.authors == ["Ann Lee", "Bo Chen"]
    assert doc.path is None


def test_body_published_and_author_string(tmp_path: Path) -> None:
    record = {"id": 7, "title": "T", "body": "B\x02ody", "published": "2021-03-04T05:06:07Z", "authors": "A; B"}
    (doc,) = read_jsonl(write_lines(tmp_path / "b.jsonl", [json.dumps(record)]))
    assert doc.doc_id == "7"
    assert doc.body == "Body"  # control characters (snippet marks) never get in
    assert doc.published == datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    assert doc.authors == ["A", "B"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000)),
        (" 5-MAR-1987 09:10:11.00", datetime(1987, 3, 5, 9, 10, 11)),
        ("27-MAR-1987 14:02:56.54&#5;&#5;V RM", datetime(1987, 3, 27, 14, 2, 56, 540000)),
        ("31-MAR-1987 605:12:19.12", datetime(1987, 3, 31)),
        ("2004-05-06", datetime(2004, 5, 6)),
        ("2004-05-06T07:08:09+02:00", datetime.fromisoformat("2004-05-06T07:08:09+02:00")),
        ("Tue, 06 May 2004 07:08:09 GMT", datetime(2004, 5, 6, 7, 8, 9, tzinfo=timezone.utc)),
        ("not a date", None),
        ("", None),
        (None, None),
        ("31-FEB-1987 10:00:00", None),
    ],
)
def test_parse_date(value: object, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_bad_lines_are_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", [
        json.dumps({"id": "ok1", "title": "one"}),
        "{not json",
        "",
        json.dumps({"title": "no id"}),
        json.dumps(["a", "list"]),
        json.dumps({"id": "empty", "title": " ", "text": ""}),
        json.dumps({"id": "ok2", "text": "two", "date": "garbage"}),
    ])
    skipped: list[BadLine] = []
    noted: list[BadLine] = []
    docs = list(read_jsonl(path, skipped=skipped, noted=noted))
    assert [d.doc_id for d in docs] == ["ok1", "ok2"]
    assert docs[1].published is None  # an unreadable date does not cost the article
    assert [str(n) for n in noted] == [f'{path}:7: date "garbage" is not a date we can read: kept without a date']
    assert [b.line for b in skipped] == [2, 4, 5, 6]
    assert all(b.path == str(path) for b in skipped)
    assert str(skipped[0]).startswith(f"{path}:2: bad JSON")


def test_bad_lines_warn_without_a_list(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "d.jsonl", ["{bad", json.dumps({"id": "x", "title": "y"})])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = list(read_jsonl(path))
    assert [d.doc_id for d in docs] == ["x"]
    assert len(caught) == 1 and issubclass(caught[0].category, JsonlWarning)
    assert f"{path}:1" in str(caught[0].message)


def test_read_jsonl_is_lazy(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "e.jsonl", [json.dumps({"id": "x", "title": "y"}), "{bad"])
    skipped: list[BadLine] = []
    docs = read_jsonl(path, skipped=skipped)
    assert next(docs).doc_id == "x"
    assert skipped == []  # the bad second line is not read yet


def test_a_date_that_is_not_one_is_named_with_its_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "dates.jsonl", [
        json.dumps({"id": "a", "title": "t", "date": "yesterday"}),
        json.dumps({"id": "b", "title": "t", "date": "2020-01-02"}),
        json.dumps({"id": "c", "title": "t", "published": {"when": "now"}}),
    ])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = list(read_jsonl(path))
    assert [(d.doc_id, d.published) for d in docs] == [("a", None), ("b", datetime(2020, 1, 2)), ("c", None)]
    messages = [str(w.message) for w in caught]
    assert all(issubclass(w.category, JsonlWarning) for w in caught)
    assert messages == [f'{path}:1: date "yesterday" is not a date we can read: kept without a date',
                        f'{path}:3: published {{"when": "now"}} is not a date we can read: kept without a date']
    assert caught[0].filename == __file__  # pointed at the caller's line, not inside searcher


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_a_file_that_cannot_be_read_is_a_searcher_error_naming_it(tmp_path: Path, what: str) -> None:
    path = tmp_path / "nope.jsonl"
    if what == "folder":
        path.mkdir()
    with pytest.raises(searcher.SourceFileError, match=f"cannot read {path}: ") as raised:
        read_jsonl(path)  # at once, not at the first document
    assert isinstance(raised.value, searcher.SearcherError)
    with pytest.raises(searcher.SourceFileError, match="nope"):
        read_jsonl("nope")
