"""The datasets page (issue 13): the list, uploads, and every error of a refused upload
shown by file, line and column, as the API reports them."""

from __future__ import annotations

import html
import re

import pytest
from web_support import example_files, make_client, make_zip

client = pytest.fixture(scope="module")(make_client)


def token(client) -> str:
    client.get("/datasets")
    return client.cookies.get("optimiser_csrf")


def two_bad_files() -> bytes:
    """posts.csv line 4 has a word for a number; delegations.csv line 3 a word for a
    population: one error in each of two files."""
    files = example_files()
    posts = files["posts.csv"].decode().splitlines()
    posts[3] = posts[3].replace(",3,", ",abc,")
    files["posts.csv"] = ("\n".join(posts) + "\n").encode()
    rows = files["delegations.csv"].decode().splitlines()
    cells = rows[2].split(",")
    cells[4] = "beaucoup"
    rows[2] = ",".join(cells)
    files["delegations.csv"] = ("\n".join(rows) + "\n").encode()
    return make_zip(files)


def error_rows(page: str) -> list[list[str]]:
    table = re.search(r'<table class="errors upload-errors">(.*?)</table>', page, re.S)
    assert table, "no error table"
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)][1:]


def test_list_has_the_embedded_dataset(client):
    page = client.get("/datasets?lang=en")
    assert page.status_code == 200
    assert '<a href="/runs/new?dataset=default&amp;lang=en">' in page.text
    default = client.get("/api/datasets").json()[0]
    assert f"<td>{default['delegations']}</td><td>{default['posts']}</td>" in page.text
    assert default["sha256"][:12] in page.text
    assert "<h1>مجموعات البيانات</h1>" in client.get("/datasets?lang=ar").text


def test_upload_with_two_errors_lists_both(client):
    data = two_bad_files()
    page = client.post("/datasets?lang=en", data={"csrf_token": token(client), "name": "bad"},
                       files={"file": ("bad.zip", data)})
    assert page.status_code == 422
    rows = error_rows(page.text)
    api = client.post("/api/datasets", files={"file": ("bad.zip", data)}).json()["errors"]
    expected = [["" if e[k] is None else str(e[k])
                 for k in ("file", "line", "column", "value", "message")] for e in api]
    assert rows == expected  # the same errors as the API, every one
    assert sorted(r[:4] for r in rows) == [["delegations.csv", "3", "population", "beaucoup"],
                                           ["posts.csv", "4", "posts", "abc"]]
    assert str(client.app_settings.root) not in page.text  # never a server path
    assert 'value="bad"' in page.text  # the name typed is kept
    listed = [d["name"] for d in client.get("/api/datasets").json()]
    assert "bad" not in listed


def test_good_upload_is_listed(client):
    before = len(client.get("/api/datasets").json())
    sent = client.post("/datasets?lang=fr", data={"csrf_token": token(client),
                                                  "name": "Exemple « oriental »"},
                       files={"file": ("exemple.zip", make_zip(example_files()))},
                       follow_redirects=False)
    assert sent.status_code == 303
    listed = client.get("/api/datasets").json()
    assert len(listed) == before + 1
    added = next(d for d in listed if d["name"] == "Exemple « oriental »")
    assert sent.headers["location"] == f"/datasets?lang=fr&added={added['id']}"
    page = client.get(sent.headers["location"])
    assert "Exemple « oriental »" in page.text and 'class="added"' in page.text
    assert f'href="/runs/new?dataset={added["id"]}&amp;lang=fr"' in page.text
    assert f"<td>{added['delegations']}</td><td>{added['posts']}</td>" in page.text
    editor = client.get(f"/runs/new?dataset={added['id']}")
    assert '<option value="TATA">' in editor.text


def test_unnamed_upload_takes_the_zip_name(client):
    sent = client.post("/datasets", data={"csrf_token": token(client)},
                       files={"file": ("C:\\data\\round-2025.zip", make_zip(example_files()))},
                       follow_redirects=False)
    assert sent.status_code == 303
    assert "round-2025" in [d["name"] for d in client.get("/api/datasets").json()]


def test_upload_needs_the_csrf_token(client):
    before = client.get("/api/datasets").json()
    refused = client.post("/datasets", data={"name": "sneaky"},
                          files={"file": ("d.zip", make_zip(example_files()))})
    assert refused.status_code == 403
    wrong = client.post("/datasets", data={"name": "sneaky", "csrf_token": "forged"},
                        files={"file": ("d.zip", make_zip(example_files()))})
    assert wrong.status_code == 403
    assert client.get("/api/datasets").json() == before


def test_oversize_and_escaping_uploads_are_shown(client):
    big = b"0" * (client.app_settings.upload_bytes + 1)
    page = client.post("/datasets", data={"csrf_token": token(client)},
                       files={"file": ("big.zip", big)})
    assert page.status_code == 413
    assert error_rows(page.text)[0][0] == "upload" and "larger than" in page.text
    escaping = make_zip({**example_files(), "../x.csv": b"x"})
    evil = client.post("/datasets", data={"csrf_token": token(client)},
                       files={"file": ("e.zip", escaping)})
    assert evil.status_code == 422
    assert error_rows(evil.text) == [["x.csv", "", "", "", "path with `..` in the zip: refused"]]
    missing = client.post("/datasets", data={"csrf_token": token(client)})
    assert missing.status_code == 422 and "zip" in error_rows(missing.text)[0][4]
