"""``POST /api/v1/ask``: same answers as chat; bad input is a 4xx in Chinese."""

from __future__ import annotations


def test_ask_answers_for_the_region_with_sources(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/ask", json={"question": "见习补贴标准是多少", "region": "郑州"})
    assert r.status_code == 200
    body = r.json()
    assert "70%" in body["answer"] and body["kind"] == "answer" and body["region"] == "41"
    assert body["sources"][0]["doc"] == "豫人社函〔2023〕138号" and body["sources"][0]["section"]
    assert 0 < body["confidence"] <= 1


def test_ask_without_region_and_out_of_scope(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/ask", json={"question": "今天天气怎么样"}).json()
    assert r["kind"] == "unknown" and r["sources"] == []


def test_bad_input_is_4xx(client) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/api/v1/ask", json={}).status_code == 422
    assert client.post("/api/v1/ask", json={"question": ""}).status_code == 422
    assert client.post("/api/v1/ask", json={"question": "x" * 501}).status_code == 422
    r = client.post("/api/v1/ask", json={"question": "补贴多少", "region": "火星"})
    assert r.status_code == 422 and "无法识别地区" in r.json()["detail"]
    r = client.post("/api/v1/ask", json={"question": "补贴多少", "region": "朝阳区"})
    assert r.status_code == 422 and "不明确" in r.json()["detail"]
    assert client.post("/api/v1/ask", content=b"not json", headers={"Content-Type": "application/json"}).status_code == 422
