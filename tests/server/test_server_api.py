"""The sync server's HTTP behaviour, in process (httpx ASGITransport), on both backends."""

from __future__ import annotations

import orjson
import pytest

from sync.hlc import MAX_SKEW_MS, wall_clock_ms
from sync.writes import Write, make_dot

from .server_testlib import auth, batch, client, device, key, new_followup, new_site


async def pull_all(c, token, after=0, limit=1000):
    r = await c.get("/v1/writes", params={"after": after, "limit": limit}, headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()


async def test_health_needs_no_token_but_everything_else_does(backend, tokens):
    async with client(backend) as c:
        assert (await c.get("/v1/health")).json()["status"] == "ok"
        for path in ("/v1/store", "/v1/writes"):
            r = await c.get(path)
            assert r.status_code == 401
            assert r.json()["code"] == "token_missing" and "Jeton" in r.json()["message"]
        wrong = tokens["a87"][:-4] + "AAAA"
        r = await c.get("/v1/store", headers=auth(wrong))
        assert r.status_code == 401 and r.json()["code"] == "token_invalid"
        r = await c.get("/v1/store", headers=auth(tokens["a87"]))
        assert r.status_code == 200
        assert r.json()["token"] == {"name": "Anne", "role": "animator", "department": "87"}
        assert r.json()["format"] == "fsfield-central/1" and r.json()["store_id"] == backend.store_id


async def test_a_revoked_token_is_refused(backend, tokens):
    backend.revoke_token("Anne", 1)
    async with client(backend) as c:
        assert (await c.get("/v1/store", headers=auth(tokens["a87"]))).status_code == 401
        assert (await c.get("/v1/store", headers=auth(tokens["b87"]))).status_code == 200


async def test_push_then_pull_and_replays_store_nothing_twice(backend, tokens):
    dev = device()
    site = new_site(dev, "87")
    new_followup(dev, site)
    body, k = batch(dev), key()
    async with client(backend) as c:
        r1 = await c.post("/v1/push", json=body, headers={**auth(tokens["a87"]), **k})
        assert r1.status_code == 200, r1.text
        assert r1.json() == {"seq": 6, "stored": 6, "known": 0}
        for _ in range(3):  # the same request again: the same answer, nothing stored
            again = await c.post("/v1/push", json=body, headers={**auth(tokens["a87"]), **k})
            assert again.json() == r1.json()
        other_key = await c.post("/v1/push", json=body, headers={**auth(tokens["a87"]), **key()})
        assert other_key.json() == {"seq": 6, "stored": 0, "known": 6}
        page = await pull_all(c, tokens["b87"])
    assert sorted(w["dot"] for w in page["writes"]) == sorted(w.dot for w in dev.outbox())
    assert page["cursor"] == 6 and page["more"] is False


async def test_same_key_with_another_body_is_refused(backend, tokens):
    dev = device()
    new_site(dev, "87")
    k = key()
    async with client(backend) as c:
        assert (await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **k})).status_code == 200
        r = await c.post("/v1/push", json=batch(dev, dev.outbox()[1:]), headers={**auth(tokens["a87"]), **k})
        assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"


async def test_animator_of_87_writing_a_record_of_23_is_refused_whole(backend, tokens):
    dev = device()
    ok_site = new_site(dev, "87", "FS Bellac")
    bad_site = new_site(dev, "23", "FS Guéret")
    async with client(backend) as c:
        r = await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden_records" and "Rien" in r.json()["message"]
        assert [x["record"] for x in r.json()["refused"]] == [bad_site]
        assert r.json()["refused"][0]["reason"] == "other_department"
        assert (await pull_all(c, tokens["nat"]))["writes"] == [], "nothing of that batch stored"
        rest = [w for w in dev.outbox() if w.record == ok_site]
        r = await c.post("/v1/push", json=batch(dev, rest), headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 200


async def test_a_record_naming_a_site_stored_earlier_takes_its_department(backend, tokens):
    dev = device()
    site = new_site(dev, "87")
    async with client(backend) as c:
        await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
        dev.mark_sent(w.dot for w in dev.outbox())
        new_followup(dev, site)
        r = await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 200, r.text
        r = await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a23"]), **key()})
        assert r.status_code == 403 and r.json()["refused"][0]["reason"] == "other_department"


async def test_an_activity_takes_its_sites_department_or_the_batch_scope(backend, tokens):
    dev = device()
    s87 = new_site(dev, "87")
    s23 = new_site(dev, "23")
    network, local, mixed = "act-network", "act-local", "act-mixed"
    dev.write(network, "activity", "site_ids", [])  # a visio of the network: no site
    dev.write(local, "activity", "site_ids", [s87])
    dev.write(mixed, "activity", "site_ids", [s87, s23])
    ws = [w for w in dev.outbox() if w.record != s23]
    async with client(backend) as c:
        r = await c.post("/v1/push", json=batch(dev, ws), headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 403
        assert {x["record"]: x["reason"] for x in r.json()["refused"]} == {mixed: "unplaceable"}
        ok = [w for w in ws if w.record != mixed]
        assert (await c.post("/v1/push", json=batch(dev, ok), headers={**auth(tokens["a87"]), **key()})).status_code == 200
        docs = (await c.get("/v1/records", params={"kind": "activity"}, headers=auth(tokens["p87"]))).json()
    assert {d["record"]: d["department"] for d in docs} == {network: "87", local: "87"}


async def test_a_record_that_cannot_be_placed_is_refused(backend, tokens):
    dev = device()
    visit = "9b1d0000-0000-0000-0000-000000000001"
    dev.write(visit, "visit", "site_id", "no-such-site")
    dev.write("lonely", "followup", "notes", "sans structure")
    async with client(backend) as c:
        r = await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
    assert r.status_code == 403
    assert {x["record"]: x["reason"] for x in r.json()["refused"]} == {
        visit: "unplaceable",
        "lonely": "unplaceable",
    }


async def test_moving_a_site_to_another_department_is_refused(backend, tokens):
    dev = device()
    site = new_site(dev, "87")
    async with client(backend) as c:
        await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
        dev.mark_sent(w.dot for w in dev.outbox())
        dev.write(site, "site", "department", "23")
        r = await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
    assert r.status_code == 403 and r.json()["refused"][0]["reason"] == "moves_site"


async def test_a_pull_returns_only_what_the_token_may_read(backend, tokens):
    d87, d23 = device("87"), device("23")
    new_site(d87, "87")
    new_site(d23, "23")
    async with client(backend) as c:
        for dev, tok in ((d87, "a87"), (d23, "a23")):
            r = await c.post("/v1/push", json=batch(dev), headers={**auth(tokens[tok]), **key()})
            assert r.status_code == 200, r.text
        seen_87 = await pull_all(c, tokens["a87"])
        seen_23 = await pull_all(c, tokens["a23"])
        seen_all = await pull_all(c, tokens["nat"])
        r = await c.get("/v1/writes", params={"department": "23"}, headers=auth(tokens["a87"]))
    assert {w["dot"] for w in seen_87["writes"]} == {w.dot for w in d87.outbox()}
    assert {w["dot"] for w in seen_23["writes"]} == {w.dot for w in d23.outbox()}
    assert len(seen_all["writes"]) == 4
    assert seen_87["cursor"] == seen_23["cursor"] == 4, "a page that is not full ends at the head"
    assert r.status_code == 403 and r.json()["code"] == "forbidden_read"


async def test_pull_pages_follow_the_cursor_without_gaps(backend, tokens):
    d87, d23 = device("87"), device("23")
    for i in range(12):
        new_site(d87, "87", f"FS {i}")
        new_site(d23, "23", f"FS {i}")
    async with client(backend) as c:
        await c.post("/v1/push", json=batch(d87), headers={**auth(tokens["a87"]), **key()})
        await c.post("/v1/push", json=batch(d23), headers={**auth(tokens["a23"]), **key()})
        got, cursor, pages = [], 0, 0
        while True:
            page = await pull_all(c, tokens["a87"], after=cursor, limit=10)
            got += page["writes"]
            cursor, pages = page["cursor"], pages + 1
            if not page["more"]:
                break
    assert [w["dot"] for w in got] == [w.dot for w in d87.outbox()], "server order, no gap"
    assert pages == 3 and cursor == 48


async def test_a_known_dot_with_other_content_is_409_and_nothing_is_stored(backend, tokens):
    dev = device()
    site = new_site(dev, "87")
    async with client(backend) as c:
        await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
        first = dev.outbox()[0]
        forged = Write(first.dot, first.record, first.kind, first.field, "autre", first.hlc, (), "X")
        dev.write(site, "site", "phone", "05 55 00 00 00")
        body = batch(dev, [forged, dev.outbox()[-1]])
        r = await c.post("/v1/push", json=body, headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 409
        assert r.json()["dots"] == [first.dot] and "identifiant" in r.json()["message"]
        assert len((await pull_all(c, tokens["a87"]))["writes"]) == 2


async def test_prefecture_updates_only_its_own_followups_status_notes_and_due(backend, tokens):
    anim = device()
    site = new_site(anim, "87")
    mine = new_followup(anim, site, owner="prefecture")
    theirs = new_followup(anim, site, owner="animateur")
    async with client(backend) as c:
        assert (await c.post("/v1/push", json=batch(anim), headers={**auth(tokens["a87"]), **key()})).status_code == 200
        pref = device(author="Préfecture")
        for w in (await pull_all(c, tokens["p87"]))["writes"]:
            pref.apply_remote([Write.from_dict({**w, "hlc": tuple(w["hlc"]), "supersedes": tuple(w["supersedes"])})])
        pref.write(mine, "followup", "status", "en_cours")
        pref.write(mine, "followup", "notes", "courrier envoyé")
        ok = await c.post("/v1/push", json=batch(pref), headers={**auth(tokens["p87"]), **key()})
        assert ok.status_code == 200, ok.text
        pref.mark_sent(w.dot for w in pref.outbox())
        cases = [
            (theirs, "status", "fait", "prefecture_owner"),
            (mine, "text", "autre texte", "prefecture_field"),
            (site, "name", "FS renommée", "prefecture_kind"),
        ]
        for record, field, value, reason in cases:
            w = pref.write(record, pref.replica.kind_of(record), field, value)
            r = await c.post("/v1/push", json=batch(pref, [w]), headers={**auth(tokens["p87"]), **key()})
            assert r.status_code == 403 and r.json()["refused"][0]["reason"] == reason, (field, r.text)
            pref.mark_sent([w.dot])
        nat = device()
        new_site(nat, "87")
        r = await c.post("/v1/push", json=batch(nat), headers={**auth(tokens["nat"]), **key()})
        assert r.status_code == 403 and r.json()["refused"][0]["reason"] == "read_only"


async def test_current_documents_follow_the_writes(backend, tokens):
    dev = device()
    site = new_site(dev, "87", "FS Bellac")
    async with client(backend) as c:
        await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
        dev.mark_sent(w.dot for w in dev.outbox())
        dev.write(site, "site", "name", "FS Bellac (gare)")
        await c.post("/v1/push", json=batch(dev), headers={**auth(tokens["a87"]), **key()})
        r = await c.get("/v1/records", params={"kind": "site"}, headers=auth(tokens["p87"]))
        other = await c.get("/v1/records", headers=auth(tokens["a23"]))
    [doc] = r.json()
    assert doc["record"] == site and doc["department"] == "87"
    assert doc["fields"] == {"name": "FS Bellac (gare)", "department": "87"}
    assert doc["conflicted"] is False and doc["deleted"] is False
    assert other.json() == []


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (lambda b: b"{not json", 400, "bad_json"),
        (lambda b: orjson.dumps({**orjson.loads(b), "extra": 1}), 422, "bad_request"),
        (lambda b: orjson.dumps({**orjson.loads(b), "device": "../../etc"}), 422, "bad_request"),
        (lambda b: b.replace(b'"record":"', b'"record":"' + b"x" * 300), 422, "bad_write"),
        (lambda b: b.replace(b'"record":"', b'"record":"../'), 200, None),
        (lambda b: b.replace(b'"field":"name"', b'"field":"na\\u0000me"'), 422, "bad_write"),
    ],
)
async def test_bad_input_gets_a_french_json_answer(backend, tokens, mutate, status, code):
    dev = device()
    new_site(dev, "87")
    raw = mutate(orjson.dumps(batch(dev)))
    headers = {**auth(tokens["a87"]), **key(), "Content-Type": "application/json"}
    async with client(backend) as c:
        r = await c.post("/v1/push", content=raw, headers=headers)
    assert r.status_code == status, r.text
    if code:
        assert r.json()["code"] == code and r.json()["message"]


async def test_a_body_over_the_limit_is_413(backend, tokens):
    from sync.server import app as app_module

    headers = {**auth(tokens["a87"]), **key(), "Content-Type": "application/json"}
    async with client(backend) as c:
        r = await c.post("/v1/push", content=b" " * (app_module.MAX_BODY_BYTES + 1), headers=headers)
    assert r.status_code == 413 and r.json()["code"] == "too_large"

    async def chunks():  # no Content-Length: counted as it streams
        for _ in range(17):
            yield b" " * (1024 * 1024)

    async with client(backend) as c:
        r = await c.post("/v1/push", content=chunks(), headers=headers)
    assert r.status_code == 413 and r.json()["code"] == "too_large"


async def test_a_relayed_write_keeps_its_dot_and_is_authorised_by_its_record(backend, tokens):
    # A laptop republishing to a new server sends the writes it received too (format 2).
    dev, other = device(), device()
    new_site(other, "87")
    body = {**batch(other), "device": dev.device_id}
    async with client(backend) as c:
        r = await c.post("/v1/push", json=body, headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 200
        new_site(other, "23")
        body = {**batch(other), "device": dev.device_id}
        r = await c.post("/v1/push", json=body, headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 403, "relaying does not widen a token's rights"
    dots = {x["write"]["dot"] for x in backend.export()}
    assert dots and all(d.startswith(other.device_id + ":") for d in dots)


async def test_a_write_dated_far_in_the_future_is_stored(backend, tokens):
    dev = device()
    site = new_site(dev, "87")
    future = wall_clock_ms() + 10 * MAX_SKEW_MS
    w = Write(make_dot(dev.device_id, 99), site, "site", "phone", "05", (future, 0, dev.device_id), (), "A")
    async with client(backend) as c:
        r = await c.post("/v1/push", json=batch(dev, [*dev.outbox(), w]), headers={**auth(tokens["a87"]), **key()})
        assert r.status_code == 200
        assert w.dot in {x["dot"] for x in (await pull_all(c, tokens["a87"]))["writes"]}
