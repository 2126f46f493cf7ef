"""Evidence documents: types by content, the size limit, downloads only as attachments,
and tenancy: another company and another body get 404."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest

from tests.api.test_foundation import assert_problem
from tests.api.test_review import actors, submission, submitted  # noqa: F401  (the fixture)

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 40
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CSV = b"referentie;uren per week\nmw-001;32,5\nmw-002;40\n"


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["referentie", "uren"])
    book.active.append(["mw-001", 32])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def upload(client, aid: int, headers, name: str, data: bytes,
                 content_type: str = "application/octet-stream"):
    return await client.post(f"/api/v1/assessments/{aid}/documents", headers=headers,
                             files={"file": (name, data, content_type)})


async def test_types_are_decided_by_content(client, actors) -> None:  # noqa: F811
    aid = await submitted(client, actors, staff=2)
    cases = [("loonstrook.pdf", PDF, "application/pdf", "loonstrook.pdf"),
             ("foto", PNG, "image/png", "foto.png"),
             ("scan.PDF", JPEG, "image/jpeg", "scan.jpg"),  # a JPEG named .PDF is a JPEG
             ("lijst.xlsx", xlsx(), ("application/vnd.openxmlformats-officedocument"
                                     ".spreadsheetml.sheet"), "lijst.xlsx"),
             ("../../etc/lijst.csv", CSV, "text/csv", "lijst.csv")]
    ids = []
    for name, data, expected_type, expected_name in cases:
        response = await upload(client, aid, actors["company"], name, data)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["contentType"] == expected_type and body["fileName"] == expected_name
        assert body["size"] == len(data) and body["sha256"] == hashlib.sha256(data).hexdigest()
        ids.append(body["id"])
    for name, data in (("pagina.pdf", b"<html><script>alert(1)</script></html>"),
                       ("prog.pdf", b"MZ\x90\x00\x03" + b"\x00" * 50),
                       ("leeg.csv", b""),
                       ("archief.xlsx", _zip_without_workbook()),
                       ("svg.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>')):
        problem = assert_problem(await upload(client, aid, actors["company"], name, data), 400)
        assert problem["invalidParams"][0]["name"] == "file"
    listed = await client.get(f"/api/v1/assessments/{aid}/documents", headers=actors["ans"])
    assert [d["id"] for d in listed.json()] == ids

    got = await client.get(f"/api/v1/assessments/{aid}/documents/{ids[0]}", headers=actors["ans"])
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"].startswith("application/pdf")


def _zip_without_workbook() -> bytes:
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "geen werkboek")
    return out.getvalue()


async def test_size_limit_and_bad_requests(client, actors) -> None:  # noqa: F811
    aid = await submitted(client, actors, staff=2)
    big = PDF + b"0" * (10 * 1024 * 1024)
    assert_problem(await upload(client, aid, actors["company"], "groot.pdf", big), 413)
    exact = PDF + b"0" * (10 * 1024 * 1024 - len(PDF))
    assert (await upload(client, aid, actors["company"], "precies.pdf", exact)).status_code == 201
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/documents", json={"file": "x"},
                                     headers=actors["company"]), 415)
    assert_problem(await client.post(f"/api/v1/assessments/{aid}/documents",
                                     files={"other": ("a.pdf", PDF)},
                                     headers=actors["company"]), 400)
    assert_problem(await client.get(f"/api/v1/assessments/{aid}/documents/999",
                                    headers=actors["company"]), 404)
    assert_problem(await upload(client, aid, actors["ans"], "a.pdf", PDF), 403)
    assert_problem(await client.get(f"/api/v1/assessments/{aid}/documents"), 401)


async def test_documents_are_private_to_the_company_and_its_body(
        client, actors) -> None:  # noqa: F811
    aid = await submitted(client, actors, staff=2)
    doc = (await upload(client, aid, actors["company"], "bewijs.pdf", PDF)).json()
    url = f"/api/v1/assessments/{aid}/documents/{doc['id']}"
    for who in ("company", "ans", "bert", "admin"):
        assert (await client.get(url, headers=actors[who])).status_code == 200, who
    for who in ("other", "carla"):  # another company, another body
        assert_problem(await client.get(url, headers=actors[who]), 404)
        assert_problem(await client.get(f"/api/v1/assessments/{aid}/documents",
                                        headers=actors[who]), 404)
        assert_problem(await upload(client, aid, actors[who], "x.pdf", PDF),
                       404 if who == "other" else 403)
    # A document id of another application is not reachable through this one.
    other_aid = await submitted(client, actors, staff=1)
    assert_problem(await client.get(f"/api/v1/assessments/{other_aid}/documents/{doc['id']}",
                                    headers=actors["company"]), 404)


async def test_bidi_names_and_zip_bombs_are_refused(client, actors) -> None:  # noqa: F811
    """Issue 20.1 and 20.8: a name with direction controls ("factuur<RLO>fdp.exe" reads as
    "factuurexe.pdf") is refused like every other text; so is a workbook that unpacks to
    more than the upload limit. Nothing is stored."""
    import zipfile

    aid = await submitted(client, actors, staff=2)
    for name in ("factuur\u202efdp.exe", "loon\u2066strook.pdf", "a\u200fb.pdf"):
        problem = assert_problem(await upload(client, aid, actors["company"], name, PDF), 400)
        assert problem["invalidParams"][0]["reason"] == (
            "De bestandsnaam mag geen stuurtekens of tekens voor de schrijfrichting bevatten; "
            "geef het bestand een andere naam.")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (70 * 1024 * 1024))
    assert_problem(await upload(client, aid, actors["company"], "bom.xlsx", bomb.getvalue()), 400)
    listed = await client.get(f"/api/v1/assessments/{aid}/documents", headers=actors["company"])
    assert listed.json() == []


async def test_a_file_not_yet_submitted_can_be_removed_by_the_company(
        client, actors) -> None:  # noqa: F811
    draft = await client.post("/api/v1/organizations/12345678/assessments",
                              headers=actors["company"], json={"submission": submission(2)})
    assert draft.status_code == 201, draft.text
    aid = draft.json()["id"]
    kept = (await upload(client, aid, actors["company"], "contract.pdf", PDF)).json()
    wrong = (await upload(client, aid, actors["company"], "verkeerd.pdf", PDF)).json()
    path = f"/api/v1/assessments/{aid}/documents"
    assert_problem(await client.delete(f"{path}/{wrong['id']}", headers=actors["ans"]), 403)
    removed = await client.delete(f"{path}/{wrong['id']}", headers=actors["company"])
    assert removed.status_code == 200 and removed.json()["fileName"] == "verkeerd.pdf"
    listed = (await client.get(path, headers=actors["company"])).json()
    assert [d["fileName"] for d in listed] == ["contract.pdf"]
    assert_problem(await client.delete(f"{path}/{wrong['id']}", headers=actors["company"]), 404)
    # once submitted, the certifying body has it: it stays
    sent = await client.post(f"/api/v1/assessments/{aid}/submit", headers=actors["company"],
                             json={"certifyingBody": "CERT-A"})
    assert sent.status_code == 200, sent.text
    problem = assert_problem(await client.delete(f"{path}/{kept['id']}",
                                                 headers=actors["company"]), 409, "document-kept")
    assert problem["detail"] == ("Bewijsstuk contract.pdf is al bij de certificerende "
                                 "instelling ingediend en blijft bewaard.")
    assert len((await client.get(path, headers=actors["company"])).json()) == 1
