"""A small news site for the search page's tests: a port strike told by three papers over two
months, one article syndicated word for word (a copy the page folds), one without a date,
and the shipped seeds (the cleaner's removed lines)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from conftest import REPO

NEWS = [
    ("Dock workers strike at the northern port", "Harbour Times", (2020, 3, 2),
     "Dock workers walked out at the northern port on Monday, halting the unloading of grain ships. "
     "The union said the strike would last until the port authority agreed to talks on pay."),
    ("Port strike enters second week", "Harbour Times", (2020, 3, 9),
     "The strike at the northern port entered its second week as grain ships waited offshore. "
     "Shipping lines warned that delays would spread to other harbours along the coast."),
    ("Grain exporters count the cost of the port strike", "Coast Gazette", (2020, 3, 12),
     "Grain exporters said the port strike had cost them millions in penalties for late delivery, "
     "and asked the government to step in."),
    ("Strike ends as port authority agrees to pay talks", "Coast Gazette", (2020, 3, 20),
     "The strike at the northern port ended on Friday after the port authority agreed to pay talks. "
     "The first grain ship was unloaded within hours."),
    ("New berths open at the southern harbour", "Harbour Times", (2020, 4, 3),
     "Two new berths opened at the southern harbour, which expects traffic to rise by a fifth next year."),
    ("Ferry timetable changes for the summer", "Island Post", (2020, 4, 15),
     "The ferry operator published its summer timetable, with extra crossings at weekends."),
    ("Port traffic recovers after the strike", "Island Post", (2020, 4, 28),
     "Port traffic returned to normal levels in April, a month after the strike at the northern port ended."),
    ("Harbour dredging to start in May", "Coast Gazette", (2020, 4, 30),
     "Dredging of the harbour channel will start in May so that larger grain ships can reach the port."),
]
#: The first article again, word for word, from a news agency: folded into it as a copy.
SYNDICATED = ("news/wire-copy.txt", "Dock workers strike at the northern port", "Wire Service", (2020, 3, 2),
              NEWS[0][3], "https://wire.example/strike")
#: An article without a date.
UNDATED = ("news/undated.txt", "Strike notes from the port archive", "Island Post",
           "Notes on every strike at the northern port, collected over the years.")


def news_documents() -> list:
    from searcher import Document

    docs = [Document(doc_id=f"news/{n:02d}.txt", title=title, body=body, source=source, published=datetime(*day),
                     url=f"https://www.{source.lower().replace(' ', '')}.example/{n}")
            for n, (title, source, day, body) in enumerate(NEWS)]
    doc_id, title, source, day, body, url = SYNDICATED
    docs.append(Document(doc_id=doc_id, title=title, body=body, source=source, published=datetime(*day), url=url))
    doc_id, title, source, body = UNDATED
    docs.append(Document(doc_id=doc_id, title=title, body=body, source=source))
    return docs


def build_site(root: Path) -> Path:
    """The index of the shipped seeds and the news under ``root``; returns its folder."""
    from searcher import SearchIndex

    shutil.copytree(REPO / "seeds", root / "seeds")
    with SearchIndex(root / "index") as ix:
        ix.update(root / "seeds")
        ix.add(news_documents())
    return root / "index"
