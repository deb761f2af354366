"""The health check: "ok" without the database or a session, never cached."""


def test_health_answers_ok_as_plain_text_without_the_database(
    client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    # No session: nothing for a cache or a load balancer to tell apart between readers.
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.get("Vary", "")


def test_health_answers_head_and_refuses_a_post(client, db):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405
